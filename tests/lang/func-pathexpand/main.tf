output "r" {
  value = pathexpand("/etc/hosts")
}
