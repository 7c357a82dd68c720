#! base: good
#! replace: name     = "corpus-a"
name     = null
