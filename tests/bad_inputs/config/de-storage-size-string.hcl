#! base: good
#! replace: type = "evs"
type      = "evs"
      size_in_g = "big"
