output "r" {
  value = [alltrue(["true", true]), alltrue([true, false]), alltrue([])]
}
