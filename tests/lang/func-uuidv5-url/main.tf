output "r" {
  value = uuidv5("url", "https://www.terraform.io/")
}
