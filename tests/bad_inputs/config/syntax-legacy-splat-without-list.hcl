locals {
  a = 5.*.x
}
