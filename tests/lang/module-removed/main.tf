module "gone" {
  source = "./modules/box"
  count  = 2
  name   = "rm-${count.index}"
}
