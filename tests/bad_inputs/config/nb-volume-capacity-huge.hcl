#! base: good
#! replace: capacity = var.size
capacity = 1e12
