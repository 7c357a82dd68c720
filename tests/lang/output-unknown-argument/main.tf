output "r" {
  valeu = "x"
}
