#! base: good
#! replace: name     = "corpus-a"
name     = "corpus-a"
  desired_state = "PAUSED"
