variable "name" {
  default = ""
}
output "r" {
  value = "Hello, %{ if var.name != "" }${var.name}%{ else }unnamed%{ endif }!"
}
