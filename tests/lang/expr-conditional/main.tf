output "r" {
  value = 1 > 2 ? "yes" : "no"
}
