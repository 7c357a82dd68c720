# Local modules: one module describes a team's workspace (a notebook and, for teams that
# train, a DevServer); the root calls it once per team with for_each.
# Run it with no credentials and it uses maform's embedded ModelArts simulator.

variable "teams" {
  description = "Each team, and whether it trains models (and so gets a DevServer)."
  type = map(object({
    trains = bool
    disk   = optional(number, 20)
  }))
  default = {
    vision = { trains = true }
    search = { trains = false, disk = 50 }
  }
}

data "modelarts_images" "pytorch" {
  name = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

module "workspace" {
  source   = "./modules/workspace"
  for_each = var.teams

  team     = each.key
  trains   = each.value.trains
  disk     = each.value.disk
  image_id = data.modelarts_images.pytorch.id
}

output "notebooks" {
  description = "Each team's notebook id."
  value       = { for team, w in module.workspace : team => w.notebook_id }
}

output "devservers" {
  description = "The DevServers of the teams that train."
  value       = compact([for w in module.workspace : w.devserver_id])
}
