output "r" {
  value = textencodebase64("x", "EBCDIC")
}
