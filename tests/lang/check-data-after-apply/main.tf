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
    name = modelarts_notebook.n.image_name
  }
  assert {
    condition     = data.modelarts_images.img.id == "not-this-one"
    error_message = "The notebook's image is ${data.modelarts_images.img.id}."
  }
}
