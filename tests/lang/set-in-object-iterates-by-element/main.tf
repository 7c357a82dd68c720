variable "o" {
  type = object({
    tags = set(string)
  })
  default = {
    tags = ["b", "a", "b"]
  }
}
variable "m" {
  type = map(set(string))
  default = {
    x = ["q", "p"]
  }
}
output "keys" {
  value = [for k, v in var.o.tags : k]
}
output "map_element_keys" {
  value = [for k, v in var.m["x"] : "${k}=${v}"]
}
output "template" {
  value = "%{for k, v in var.o.tags}${k};%{endfor}"
}
output "as_list" {
  value = [for k, v in tolist(var.o.tags) : k]
}
