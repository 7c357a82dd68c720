check "c" {
  assert {
    condition     = var.nope
    error_message = "x"
  }
}
