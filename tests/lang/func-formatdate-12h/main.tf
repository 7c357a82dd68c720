output "r" {
  value = formatdate("HH:mmaa", "2018-01-02T23:12:01Z")
}
