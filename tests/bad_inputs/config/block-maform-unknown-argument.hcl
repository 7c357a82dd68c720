#! base: good
maform {
  required_version = ">= 1"
}
