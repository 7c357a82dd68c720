check "image" {
  data "modelarts_images" "img" {
    name = "no-such-image"
  }
  assert {
    condition     = data.modelarts_images.img.id != ""
    error_message = "gone."
  }
}
output "ok" {
  value = "yes"
}
