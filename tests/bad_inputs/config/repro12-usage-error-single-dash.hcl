#! base: good
#! args: plan -detailed-exitcode
