output "r" {
  value = csvdecode("a,b\n1\n")
}
