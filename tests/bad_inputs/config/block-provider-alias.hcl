#! base: good
provider "modelarts" {
  alias = "two"
}
