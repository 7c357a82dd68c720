#! base: good
#! replace: spec {
spec {
    auto_stop {
      enable   = true
      duration = -1
    }
