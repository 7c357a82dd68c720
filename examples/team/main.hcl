# A team of notebooks from a map: one per member, each with its own flavor and volume size.
# The image is found by name, so the configuration holds no image id.

variable "team" {
  description = "Members and what they need."
  type = map(object({
    flavor   = string
    capacity = number
  }))
  default = {
    alice = { flavor = "modelarts.vm.cpu.2u", capacity = 10 }
    bob   = { flavor = "modelarts.vm.cpu.8u", capacity = 20 }
    carol = { flavor = "modelarts.vm.gpu.t4", capacity = 50 }
  }
}

variable "workspace_id" {
  type    = string
  default = "0"
  validation {
    condition     = var.workspace_id == "0" || length(var.workspace_id) == 32
    error_message = "workspace_id is \"0\" or a 32-character workspace id."
  }
}

locals {
  prefix = "team"
  tags   = join(",", keys(var.team))
}

data "modelarts_images" "cpu" {
  name = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

data "modelarts_images" "gpu" {
  name = "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"
}

resource "modelarts_notebook" "member" {
  for_each = var.team

  name         = format("%s-%s", local.prefix, each.key)
  description  = "Notebook of ${each.key} (team: ${local.tags})"
  flavor       = each.value.flavor
  image_id     = startswith(each.value.flavor, "modelarts.vm.gpu") ? data.modelarts_images.gpu.id : data.modelarts_images.cpu.id
  workspace_id = var.workspace_id

  volume {
    category = "EVS"
    capacity = each.value.capacity
  }

  lease {
    duration = 14400000
    type     = "IDLE"
  }

  lifecycle {
    ignore_changes = [lease]
  }
}

output "urls" {
  value = { for k, nb in modelarts_notebook.member : k => nb.url }
}
