output "r" {
  value = "a\n\t\"${"b"}\u00e9"
}
