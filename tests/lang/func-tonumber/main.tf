output "r" {
  value = [tonumber(1), tonumber("1"), tonumber(null)]
}
