resource "modelarts_notebook" "b" {
  name     = "lang-b"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  lifecycle {
    precondition {
      condition     = modelarts_notebook.a.status == "RUNNING"
      error_message = "a is not running."
    }
  }
}
resource "modelarts_notebook" "a" {
  name     = "lang-a"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
