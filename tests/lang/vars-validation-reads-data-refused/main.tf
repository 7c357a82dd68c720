variable "flavor" {
  default = "modelarts.vm.cpu.2u"
  validation {
    condition     = contains(data.modelarts_flavors.f.flavors, var.flavor)
    error_message = "No such flavor."
  }
}
data "modelarts_flavors" "f" {
}
