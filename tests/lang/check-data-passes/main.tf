check "image" {
  data "modelarts_images" "img" {
    name = "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"
  }
  assert {
    condition     = data.modelarts_images.img.id != ""
    error_message = "the image is gone."
  }
}
