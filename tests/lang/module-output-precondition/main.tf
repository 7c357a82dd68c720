module "box" {
  source = "./modules/box"
  size   = 200
}
