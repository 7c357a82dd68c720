#! base: good
#! args: apply --destroy --auto-approve saved.plan
#! expect: cannot change a saved plan
