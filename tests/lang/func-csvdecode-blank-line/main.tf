output "r" {
  value = csvdecode("a,b
1,2

")
}
