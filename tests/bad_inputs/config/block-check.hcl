#! base: good
check "x" {
  assert {
    condition     = true
    error_message = "x"
  }
}
