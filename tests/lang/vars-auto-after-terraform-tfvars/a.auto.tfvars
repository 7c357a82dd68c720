v = "auto"
