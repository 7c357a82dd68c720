variable "who" {
  type    = string
  default = "default"
}

output "who" {
  value = var.who
}
