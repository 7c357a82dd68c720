output "r" {
  value = lower("HELLO")
}
