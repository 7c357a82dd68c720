module "outer" {
  source = "./modules/outer"
  count  = 2
  prefix = "n${count.index}"
}

resource "modelarts_notebook" "after" {
  name       = "after"
  flavor     = "modelarts.vm.cpu.2u"
  image_id   = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  depends_on = [module.outer]
  volume {
    category = "EVS"
  }
}

output "names" {
  value = module.outer[*].inner_name
}

output "where" {
  value = module.outer[0].where
}
