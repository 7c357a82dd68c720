# DevServers (Lite Servers): one logged into with a key pair, one with a password
# that comes from a sensitive variable (MAFORM_VAR_admin_pass), never from this file.

variable "admin_pass" {
  type      = string
  sensitive = true
  default   = "Sim-Passw0rd!"
}

data "modelarts_devserver_flavors" "x86" {
  server_type = "ECS"
  arch        = "X86"
  name        = "Si2.large.4"
}

data "modelarts_devserver_images" "ubuntu" {
  name_regex  = "^Ubuntu18"
  server_type = "ECS"
}

resource "modelarts_devserver" "build" {
  name          = "build-server"
  flavor        = data.modelarts_devserver_flavors.x86.id
  image_id      = data.modelarts_devserver_images.ubuntu.id
  server_type   = "ecs"
  arch          = "x86"
  key_pair_name = "team-key"

  network {
    vpc_id            = "05982b48-a70f-43a1-a2b0-1fe36a236172"
    subnet_id         = "38cf274a-98f9-4f6f-b622-5ed0e4a3db54"
    security_group_id = "150a2c76-1334-45f6-b28f-419f9b1d1742"
  }

  root_volume {
    size = 200
    type = "gpssd"
  }

  timeouts {
    create = "30m"
  }
}

resource "modelarts_devserver" "scratch" {
  name          = "scratch-server"
  flavor        = "Si2.2xlarge.4"
  image_id      = data.modelarts_devserver_images.ubuntu.id
  admin_pass    = var.admin_pass
  desired_state = "STOPPED"

  network {
    vpc_id            = modelarts_devserver.build.network.vpc_id
    subnet_id         = "38cf274a-98f9-4f6f-b622-5ed0e4a3db54"
    security_group_id = "150a2c76-1334-45f6-b28f-419f9b1d1742"
  }

}

output "build_ip" {
  value = modelarts_devserver.build.private_ip
}
