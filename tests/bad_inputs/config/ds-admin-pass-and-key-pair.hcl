#! base: good
#! replace: key_pair_name = "kp"
key_pair_name = "kp"
  admin_pass    = "Passw0rd-ok1"
