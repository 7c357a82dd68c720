#! base: good
#! replace: capacity = var.size
capacity = -5
