variable "names" {
  type    = set(string)
  default = ["b", "a"]
}
output "o" {
  value = var.names[0]
}
