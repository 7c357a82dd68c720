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
    category = "EVS"
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

locals {
  l0 = [1, 2, 3, 4]
  l1 = [local.l0, local.l0]
  l2 = [local.l1, local.l1]
  l3 = [local.l2, local.l2]
  l4 = [local.l3, local.l3]
  l5 = [local.l4, local.l4]
  l6 = [local.l5, local.l5]
  l7 = [local.l6, local.l6]
  l8 = [local.l7, local.l7]
  l9 = [local.l8, local.l8]
  l10 = [local.l9, local.l9]
  l11 = [local.l10, local.l10]
  l12 = [local.l11, local.l11]
  l13 = [local.l12, local.l12]
  l14 = [local.l13, local.l13]
  l15 = [local.l14, local.l14]
  l16 = [local.l15, local.l15]
  l17 = [local.l16, local.l16]
  l18 = [local.l17, local.l17]
  l19 = [local.l18, local.l18]
  l20 = [local.l19, local.l19]
  l21 = [local.l20, local.l20]
  l22 = [local.l21, local.l21]
  l23 = [local.l22, local.l22]
  l24 = [local.l23, local.l23]
  x = local.l24
}
output "x" {
  value = local.x
}
