output "r" {
  value = "x${null}"
}
