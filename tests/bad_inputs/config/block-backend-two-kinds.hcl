#! base: good
maform {
  backend "pg" {}
  backend "local" {}
}
