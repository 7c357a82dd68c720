output "r" {
  value = title("hello world")
}
