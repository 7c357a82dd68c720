#! base: good
provider "modelarts" {
  access_key = "AK"
}
