check "image" {
  data "modelarts_images" "img" {
    count = 2
    name  = "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"
  }
  assert {
    condition     = true
    error_message = "x"
  }
}
