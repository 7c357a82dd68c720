#! base: good
#! replace: name     = "corpus-a"
name     = "corpus-a"
  status   = "RUNNING"
