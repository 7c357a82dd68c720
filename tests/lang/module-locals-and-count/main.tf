module "net" {
  source = "./modules/box"
  name   = "net"
}

locals {
  net_name = module.net.nb_name
}

module "app" {
  source = "./modules/box"
  name   = "app-${local.net_name}"
}
