output "r" {
  value = trim("?!hello?!", "!?")
}
