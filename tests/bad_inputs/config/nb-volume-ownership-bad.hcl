#! base: good
#! replace: category = "EVS"
category  = "EVS"
    ownership = "MINE"
