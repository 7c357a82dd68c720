output "r" {
  value = nonsensitive(sensitive("x"))
}
