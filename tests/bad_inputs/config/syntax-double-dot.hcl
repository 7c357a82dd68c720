locals {
  a = var..x
}
