check "ok" {
  assert {
    condition     = 1 == 1
    error_message = "never."
  }
}
