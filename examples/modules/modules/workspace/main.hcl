# One team's workspace: a notebook, and a DevServer when the team trains models.

variable "team" {
  type = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.team))
    error_message = "A team name is lower case letters, digits and dashes."
  }
}

variable "trains" {
  type    = bool
  default = false
}

variable "disk" {
  type    = number
  default = 20
}

variable "image_id" {
  type = string
}

resource "modelarts_notebook" "nb" {
  name        = "ws-${var.team}"
  description = "Notebook of team ${var.team}"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = var.image_id

  volume {
    category = "evs"
    capacity = var.disk
  }
}

resource "modelarts_devserver" "train" {
  count         = var.trains ? 1 : 0
  name          = "train-${var.team}"
  flavor        = "Si2.large.4"
  image_id      = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  key_pair_name = "${var.team}-key"

  network {
    vpc_id            = "vpc-${var.team}"
    subnet_id         = "subnet-${var.team}"
    security_group_id = "sg-${var.team}"
  }
}

output "notebook_id" {
  value = modelarts_notebook.nb.id
}

output "devserver_id" {
  value = one(modelarts_devserver.train[*].id)
}
