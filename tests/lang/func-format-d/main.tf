output "r" {
  value = format("There are %d lights", 4)
}
