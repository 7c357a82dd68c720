output "o" {
  value = templatefile("${path.module}/outer.tftpl", {})
}
