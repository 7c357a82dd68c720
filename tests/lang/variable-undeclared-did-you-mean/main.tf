variable "region" {
  default = "x"
}
output "r" {
  value = var.regoin
}
