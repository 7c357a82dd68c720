output "r" {
  value = formatdate("YYYY", "2018-01-02")
}
