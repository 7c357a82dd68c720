module "small" {
  source = "./modules/box"
  size   = 10
}

module "big" {
  source = "./modules/box"
  size   = 60
}
