output "r" {
  value = "a\q${1}"
}
