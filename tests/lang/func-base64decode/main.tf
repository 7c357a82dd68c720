output "r" {
  value = base64decode("SGVsbG8gV29ybGQ=")
}
