module "box" {
  source = "./modules/box"
  nmae   = "x"
}
