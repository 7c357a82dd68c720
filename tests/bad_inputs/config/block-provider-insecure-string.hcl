#! base: good
provider "modelarts" {
  insecure = "yes"
}
