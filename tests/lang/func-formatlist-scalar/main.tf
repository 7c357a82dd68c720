output "r" {
  value = formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])
}
