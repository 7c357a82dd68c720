output "r" {
  value = chomp("hello\n\n")
}
