size = 10
size = 12
