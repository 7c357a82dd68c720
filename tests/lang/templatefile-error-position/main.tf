output "greeting" {
  value = templatefile("${path.module}/greeting.tftpl", { name = "a" })
}
