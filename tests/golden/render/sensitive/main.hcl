variable "secret" {
  type      = string
  sensitive = true
}

resource "fake_thing" "a" {
  name        = "a"
  secret      = var.secret
  description = "token-${var.secret}"
}

output "secret_out" {
  value     = var.secret
  sensitive = true
}
