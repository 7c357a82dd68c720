#! base: good
#! replace: volume {
volume {
    category = "EVS"
  }
  volume {
