variable "token" {
  type      = string
  sensitive = true
  default   = "Sup3r-Secret-Token"
}

variable "owner" {
  type    = string
  default = "ml-team"
  validation {
    condition     = can(regex("^[a-z-]+$", var.owner))
    error_message = "The owner is lower-case letters and dashes."
  }
}

resource "modelarts_notebook" "a" {
  count       = 2
  name        = "lang-a-${count.index}"
  description = "owned by ${var.owner}"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
  lifecycle {
    postcondition {
      condition     = self.flavor == "modelarts.vm.cpu.2u"
      error_message = "The flavor changed."
    }
  }
}

resource "modelarts_notebook" "b" {
  name     = "lang-b"
  flavor   = modelarts_notebook.a[0].flavor
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

check "owner_known" {
  assert {
    condition     = var.owner == "someone-else"
    error_message = "The owner is ${var.owner}, not someone-else."
  }
}

output "token" {
  value     = var.token
  sensitive = true
}
