output "r" {
  value = <<EOT
  kept
EOT
}
