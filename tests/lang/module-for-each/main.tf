variable "teams" {
  type    = set(string)
  default = ["alpha", "beta"]
}

module "team" {
  source   = "./modules/team"
  for_each = var.teams
  name     = each.key
  size     = 20
}

module "solo" {
  source = "./modules/team"
  name   = "solo"
}

resource "modelarts_notebook" "hub" {
  name        = "hub"
  description = "alpha is ${module.team["alpha"].notebook_id}"
  flavor      = "modelarts.vm.cpu.2u"
  image_id    = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}

output "names" {
  value = { for k, t in module.team : k => t.name }
}

output "solo" {
  value = module.solo.name
}
