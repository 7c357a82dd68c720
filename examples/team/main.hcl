# A team of notebooks from a map: one per member, each with its own flavor and volume size.
# The image is found by name, so the configuration holds no image id. Conditions check
# what the team asks for before anything is created, and what was made afterwards.

variable "team" {
  description = "Members and what they need."
  type = map(object({
    flavor   = string
    capacity = optional(number, 10)
  }))
  default = {
    alice = { flavor = "modelarts.vm.cpu.2u" }
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

    precondition {
      condition     = !startswith(each.value.flavor, "modelarts.vm.gpu") || each.value.capacity >= 20
      error_message = "${each.key} asks for a GPU flavor: give the notebook at least 20 GB."
    }

    postcondition {
      condition     = self.status == "RUNNING"
      error_message = "${each.key}'s notebook is ${self.status}, not RUNNING."
    }
  }
}

check "everyone_has_a_url" {
  assert {
    condition     = alltrue([for nb in modelarts_notebook.member : nb.url != ""])
    error_message = "A notebook has no URL yet."
  }
}

output "urls" {
  value = { for k, nb in modelarts_notebook.member : k => nb.url }
}
