size = upper("x")
