output "r" {
  value = <<-EOT
    ${uper("a")}
    EOT
}
