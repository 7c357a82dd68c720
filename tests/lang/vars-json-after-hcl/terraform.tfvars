v = "hcl"
