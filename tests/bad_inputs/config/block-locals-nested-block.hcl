#! base: good
locals {
  b {
  }
}
