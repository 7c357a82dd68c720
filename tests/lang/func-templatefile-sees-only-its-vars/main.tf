variable "x" {
  default = "X"
}
output "r" {
  value = templatefile("t.tftpl", {})
}
