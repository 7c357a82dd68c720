#! base: good
#! expect: uses provider modelarts.tow, which is not declared
provider "modelarts" {
  alias = "two"
}
resource "modelarts_notebook" "b" {
  provider = modelarts.tow
  name     = "corpus-b"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
}
