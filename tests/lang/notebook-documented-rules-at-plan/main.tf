resource "modelarts_notebook" "n" {
  name     = "lang-nb"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  pool_id  = "pool-1"
  volume {
    category = "EVS"
  }
  endpoints {
    service            = "SSH"
    key_pair_names     = ["kp"]
    allowed_access_ips = ["10.0.0.1"]
  }
  hooks {
    container_hooks {
      pre_start {
        script = "echo hi"
      }
    }
  }
  affinity {
    required_during_scheduling_ignored_during_execution {
      key      = "zone"
      operator = "In"
      values   = ["a"]
      weight   = 50
    }
  }
}
