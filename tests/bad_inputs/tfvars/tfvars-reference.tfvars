size = local.x
