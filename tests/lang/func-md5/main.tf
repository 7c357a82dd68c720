output "r" {
  value = md5("hello world")
}
