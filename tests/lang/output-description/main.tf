output "r" {
  value       = "x"
  description = "An output."
}
