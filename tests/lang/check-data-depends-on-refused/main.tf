resource "modelarts_notebook" "n" {
  name     = "lang-n"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
check "image" {
  data "modelarts_images" "img" {
    name       = "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"
    depends_on = [modelarts_notebook.n]
  }
  assert {
    condition     = true
    error_message = "x"
  }
}
