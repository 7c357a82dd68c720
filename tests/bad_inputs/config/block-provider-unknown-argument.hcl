#! base: good
provider "modelarts" {
  regoin = "cn-north-4"
}
