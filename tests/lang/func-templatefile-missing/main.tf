output "r" {
  value = templatefile("nope.tftpl", {})
}
