output "r" {
  value = filebase64("hello.txt")
}
