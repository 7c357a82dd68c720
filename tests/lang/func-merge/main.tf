output "r" {
  value = merge({a = "b", c = "d"}, {e = "f", c = "z"})
}
