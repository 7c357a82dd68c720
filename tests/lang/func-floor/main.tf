output "r" {
  value = floor(4.9)
}
