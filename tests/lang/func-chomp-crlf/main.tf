output "r" {
  value = chomp("hello\r\n")
}
