sizee = 10
