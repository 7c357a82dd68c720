size = = 10
