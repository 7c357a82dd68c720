#! base: good
#! args: plan -detailed-exitcodes
#! expect: a similar argument exists: '--detailed-exitcode'
