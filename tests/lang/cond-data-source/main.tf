variable "expect" {
  type    = string
  default = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

variable "image" {
  type    = string
  default = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

data "modelarts_images" "i" {
  name = var.image
  lifecycle {
    precondition {
      condition     = length(var.image) > 3
      error_message = "The image name is too short."
    }
    postcondition {
      condition     = self.name == var.expect
      error_message = "The image found is ${self.name}."
    }
  }
}

output "image_id" {
  value = data.modelarts_images.i.id
}
