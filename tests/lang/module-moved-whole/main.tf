module "old" {
  source   = "./modules/box"
  for_each = toset(["x", "y"])
  name     = "whole-${each.key}"
}
