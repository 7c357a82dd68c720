output "r" {
  value = regexall("[a-z]+", "1234abcd5678efgh9")
}
