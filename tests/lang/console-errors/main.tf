variable "names" {
  default = ["a", "b"]
}
data "modelarts_flavors" "all" {}
variable "required" {
  type = string
}
locals {
  n = length(var.names)
}
