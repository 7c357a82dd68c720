output "r" {
  value = [anytrue(["true"]), anytrue([false]), anytrue([])]
}
