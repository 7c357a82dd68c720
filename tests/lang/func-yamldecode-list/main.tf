output "r" {
  value = yamldecode("- a\n- 2\n- true")
}
