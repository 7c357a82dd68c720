output "r" {
  value = <<-EOT
  %{~ for x in [1, 2] ~}
    item ${x}
  %{~ endfor ~}
  EOT
}
