locals {
  a = "A"
}
