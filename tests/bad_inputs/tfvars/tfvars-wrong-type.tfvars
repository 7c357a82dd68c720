size = "ten"
