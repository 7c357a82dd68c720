output "r" {
  value = sha1("hello world")
}
