variable "names" {
  default = ["a", "b"]
}
data "modelarts_flavors" "all" {}
