output "r" {
  value = formatdate("h:mm", "2018-01-02T09:05:01Z")
}
