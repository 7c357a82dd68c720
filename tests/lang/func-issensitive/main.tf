output "r" {
  value = [issensitive(sensitive("x")), issensitive("x")]
}
