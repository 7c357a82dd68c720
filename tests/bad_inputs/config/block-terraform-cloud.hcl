#! base: good
terraform {
  cloud {
    organization = "x"
  }
}
