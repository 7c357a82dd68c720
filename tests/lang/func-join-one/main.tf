output "r" {
  value = join(", ", ["foo"])
}
