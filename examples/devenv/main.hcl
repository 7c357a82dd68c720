# Legacy DevEnviron instances (the old /demanager API): one on EVS storage with
# auto-stop, one on an OBS path, kept stopped.

resource "modelarts_devenv" "evs" {
  name        = "notebook-instance"
  profile_id  = "Multi-Engine 1.0 (python3)-gpu"
  flavor      = "modelarts.vm.gpu.p100"
  description = "GPU notebook on EVS"

  spec {
    storage {
      type = "evs"
      location {
        volume_size = 10
      }
    }
    auto_stop {
      enable   = true
      duration = 3600
    }
    annotations = {
      team = "vision"
    }
  }

  workspace {
    id = "0"
  }
}

resource "modelarts_devenv" "obs" {
  name          = "obs-notebook"
  profile_id    = "Multi-Engine 1.0 (python3)-cpu"
  flavor        = "modelarts.vm.cpu.2u"
  desired_state = "STOPPED"

  spec {
    storage {
      type = "obs"
      location {
        path = "/team-bucket/notebooks/obs-notebook/"
      }
    }
  }

  depends_on = [modelarts_devenv.evs]
}

output "evs_url" {
  value = modelarts_devenv.evs.url
}
