data "modelarts_images" "i" {
  name = "x"
  lifecycle {
    postcondition {
      condition     = true
      error_message = "x"
    }
  }
}
