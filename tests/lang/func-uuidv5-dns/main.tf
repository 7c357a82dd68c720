output "r" {
  value = uuidv5("dns", "www.terraform.io")
}
