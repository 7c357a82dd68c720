v = "base"
