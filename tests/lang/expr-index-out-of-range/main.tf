output "r" {
  value = ["a"][3]
}
