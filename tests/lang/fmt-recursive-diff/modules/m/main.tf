output "b" {
  value="x"
}
