#! base: good
#! replace: key_pair_name = "kp"
admin_pass    = "password"
