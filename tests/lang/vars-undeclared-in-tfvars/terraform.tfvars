vv = "x"
