output "r" {
  value = length(regexall("[a-z]+", "123456789")) > 0
}
