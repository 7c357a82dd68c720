output "r" {
  value = format("%-5s|%5s|%05d|%.2f", "a", "b", 42, 3.14159)
}
