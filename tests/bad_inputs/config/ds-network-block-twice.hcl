#! base: good
#! replace: network {
network {
    vpc_id            = "v"
    subnet_id         = "s"
    security_group_id = "g"
  }
  network {
