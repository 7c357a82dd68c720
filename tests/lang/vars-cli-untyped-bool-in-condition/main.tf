variable "enabled" {
  default = false
}
output "r" {
  value = var.enabled ? "on" : "off"
}
output "n" {
  value = !var.enabled
}
output "t" {
  value = "%{if var.enabled}yes%{else}no%{endif}"
}
