output "r" {
  value = replace("hello world", "/w.*d/", "everybody")
}
