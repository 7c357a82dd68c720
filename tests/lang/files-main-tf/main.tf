output "r" {
  value = "from main.tf"
}
