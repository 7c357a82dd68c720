output "r" {
  value = textencodebase64("Hello World", "UTF-16LE")
}
