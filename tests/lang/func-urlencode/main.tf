output "r" {
  value = urlencode("Hello World!")
}
