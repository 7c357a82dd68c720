output "r" {
  value = <<-EOT
    hello
      world
    EOT
}
