#! base: good
#! replace: category = "EVS"
category = "EVS"
    size     = 5
