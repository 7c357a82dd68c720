variable "pass" {
  type      = string
  sensitive = true
  default   = "Golden-Passw0rd"
}

resource "modelarts_notebook" "update" {
  name        = "nb-update"
  description = "before"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = 10
  }
  endpoints {
    service            = "SSH"
    key_pair_names     = ["kp"]
    allowed_access_ips = ["1.1.1.1", "2.2.2.2"]
  }
  hooks {
    container_hooks {
      post_start {
        type   = "COMMAND"
        script = <<-EOT
          pip install numpy
          pip install torch
          echo ready
        EOT
      }
    }
  }
}

resource "modelarts_notebook" "replace" {
  name     = "nb-replace"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
    capacity = 20
  }
}

resource "modelarts_notebook" "delete" {
  name     = "nb-delete"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

resource "modelarts_devserver" "secret" {
  name       = "ds-secret"
  flavor     = "Si2.large.4"
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
