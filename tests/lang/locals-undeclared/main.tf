output "r" {
  value = local.nope
}
