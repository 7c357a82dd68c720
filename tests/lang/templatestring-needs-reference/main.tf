output "o" {
  value = templatestring("hello $${name}", { name = "a" })
}
