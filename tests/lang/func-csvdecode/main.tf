output "r" {
  value = csvdecode("a,b,c\n1,2,3\n4,5,6")
}
