v = "explicit"
