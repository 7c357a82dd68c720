resource "modelarts_notebook" "n" {
  name     = "lang-n"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
check "running" {
  assert {
    condition     = modelarts_notebook.n.status == "RUNNING"
    error_message = "not running."
  }
}
