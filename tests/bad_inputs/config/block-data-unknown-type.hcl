#! base: good
data "modelarts_things" "x" {}
