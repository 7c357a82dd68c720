module "one" {
  source   = "./modules/box"
  for_each = toset(["a", "b"])
  name     = "tgt-${each.key}"
}

module "two" {
  source = "./modules/box"
  name   = "tgt-two"
}
