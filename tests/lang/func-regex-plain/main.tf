output "r" {
  value = regex("[a-z]+", "53453453.345345aaabbbccc23454")
}
