# The quickstart: one notebook, found by image name, with an EVS volume.
# Run it with no credentials and it uses maform's embedded ModelArts simulator.

variable "owner" {
  type        = string
  default     = "alice"
  description = "Who the notebook is for."
}

data "modelarts_images" "pytorch" {
  name = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

data "modelarts_flavors" "small" {
  category  = "CPU"
  min_vcpus = 2
}

resource "modelarts_notebook" "quickstart" {
  name        = "quickstart-${var.owner}"
  description = "Quickstart notebook for ${var.owner}"
  flavor      = data.modelarts_flavors.small.id
  image_id    = data.modelarts_images.pytorch.id

  volume {
    category = "evs"
    capacity = 10
  }

  lease {
    duration = 7200000
    type     = "timing"
  }
}

output "notebook_url" {
  value = modelarts_notebook.quickstart.url
}

output "notebook_status" {
  value = modelarts_notebook.quickstart.status
}
