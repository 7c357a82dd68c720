output "r" {
  value = formatdate("YYYY 'at' hh", "2018-01-02T23:12:01Z")
}
