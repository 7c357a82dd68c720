variable "pass" {
  type      = string
  sensitive = true
  default   = "Golden-Passw0rd"
}

variable "owner" {
  type        = string
  default     = "ml-team"
  description = "Who answers for these instances."
  validation {
    condition     = can(regex("^[a-z-]+$", var.owner))
    error_message = "The owner is lower-case letters and dashes."
  }
}

resource "modelarts_notebook" "update" {
  name        = "nb-update"
  description = "after"
  flavor      = "modelarts.vm.cpu.8u"
  image_id    = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = 10
  }
  endpoints {
    service            = "SSH"
    key_pair_names     = ["kp"]
    allowed_access_ips = ["1.1.1.1", "3.3.3.3"]
  }
  hooks {
    container_hooks {
      post_start {
        type   = "COMMAND"
        script = <<-EOT
          pip install numpy
          pip install torch==2.1
          echo ready
        EOT
      }
    }
  }
}

resource "modelarts_notebook" "replace" {
  name     = "nb-replace"
  description = "owned by ${var.owner}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = 10
  }
}

resource "modelarts_devserver" "secret" {
  name       = "ds-secret"
  flavor     = "Si2.2xlarge.4"
  image_id   = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  admin_pass = var.pass
  network {
    vpc_id            = "v"
    subnet_id         = "s"
    security_group_id = "g"
  }
}

resource "modelarts_devenv" "drifted" {
  name       = "de-drifted"
  profile_id = "Multi-Engine 1.0 (python3)-cpu"
  flavor     = "modelarts.vm.cpu.2u"
  spec {
    storage {
      type = "evs"
    }
  }
}

output "update_id" {
  value = modelarts_notebook.update.id
}

resource "modelarts_notebook" "create" {
  count    = 2
  name     = "nb-create-${count.index}"
  lifecycle {
    precondition {
      condition     = length(var.pass) > 8
      error_message = "The password is too short."
    }
  }
  flavor   = "modelarts.vm.cpu.2u"
  image_id = modelarts_notebook.replace.image_id
  volume {
    category = "EVS"
  }
}

output "created" {
  value = modelarts_notebook.create[*].id
}

check "described" {
  assert {
    condition     = modelarts_notebook.update.description == "before"
    error_message = "The notebook is not described as before."
  }
}
