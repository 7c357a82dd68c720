output "r" {
  value = can(regexp("a", "b"))
}
