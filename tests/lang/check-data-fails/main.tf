check "gpu_image" {
  data "modelarts_images" "img" {
    name = "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"
  }
  assert {
    condition     = data.modelarts_images.img.tag == "9.9.9"
    error_message = "The image's tag is ${data.modelarts_images.img.tag}, not 9.9.9."
  }
}
output "ok" {
  value = "yes"
}
