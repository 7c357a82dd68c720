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
  s0 = "xxxxxxxxxxxxxxxx"
  s1 = "${local.s0}${local.s0}"
  s2 = "${local.s1}${local.s1}"
  s3 = "${local.s2}${local.s2}"
  s4 = "${local.s3}${local.s3}"
  s5 = "${local.s4}${local.s4}"
  s6 = "${local.s5}${local.s5}"
  s7 = "${local.s6}${local.s6}"
  s8 = "${local.s7}${local.s7}"
  s9 = "${local.s8}${local.s8}"
  s10 = "${local.s9}${local.s9}"
  s11 = "${local.s10}${local.s10}"
  s12 = "${local.s11}${local.s11}"
  s13 = "${local.s12}${local.s12}"
  s14 = "${local.s13}${local.s13}"
  s15 = "${local.s14}${local.s14}"
  s16 = "${local.s15}${local.s15}"
  s17 = "${local.s16}${local.s16}"
  s18 = "${local.s17}${local.s17}"
  s19 = "${local.s18}${local.s18}"
  s20 = "${local.s19}${local.s19}"
  s21 = "${local.s20}${local.s20}"
  s22 = "${local.s21}${local.s21}"
  s23 = "${local.s22}${local.s22}"
  s24 = "${local.s23}${local.s23}"
  x = local.s24
}
output "x" {
  value = local.x
}
