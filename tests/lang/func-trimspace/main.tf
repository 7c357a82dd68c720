output "r" {
  value = trimspace("  hello\n\n")
}
