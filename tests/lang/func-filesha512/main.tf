output "r" {
  value = [length(filesha512("h.txt")), filebase64sha256("h.txt"), length(filebase64sha512("h.txt"))]
}
