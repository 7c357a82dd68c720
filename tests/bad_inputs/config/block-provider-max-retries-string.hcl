#! base: good
provider "modelarts" {
  max_retries = "many"
}
