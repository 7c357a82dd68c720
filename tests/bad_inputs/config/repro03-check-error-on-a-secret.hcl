#! forbid: SECRET
variable "size" {
  type    = number
  default = 10
  validation {
    condition     = var.size >= 5
    error_message = "size is at least 5."
  }
}

resource "modelarts_notebook" "a" {
  name     = "corpus-a"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = var.cat
    capacity = var.size
  }
}

resource "modelarts_devserver" "d" {
  name          = "corpus-d"
  flavor        = "Si2.large.4"
  image_id      = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  key_pair_name = "kp"
  network {
    vpc_id            = "v"
    subnet_id         = "s"
    security_group_id = "g"
  }
}

resource "modelarts_devenv" "e" {
  name       = "corpus-e"
  profile_id = "Multi-Engine 1.0 (python3)-cpu"
  flavor     = "modelarts.vm.cpu.2u"
  spec {
    storage {
      type = "evs"
    }
  }
}

variable "cat" {
  sensitive = true
  default   = "tape-SECRET"
}
