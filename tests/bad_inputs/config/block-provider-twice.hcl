#! base: good
provider "modelarts" {}
provider "modelarts" {}
