provider "modelarts" {}

provider "modelarts" {
  alias = "other"
}

resource "modelarts_notebook" "here" {
  name     = "alias-here"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

resource "modelarts_notebook" "there" {
  provider = modelarts.other
  name     = "alias-there"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
