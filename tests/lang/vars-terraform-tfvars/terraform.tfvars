v = "tfvars"
