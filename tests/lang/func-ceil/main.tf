output "r" {
  value = ceil(5.1)
}
