locals {
  a = "\z"
}
