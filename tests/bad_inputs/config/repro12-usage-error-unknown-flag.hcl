#! base: good
#! args: apply --auto-aprove
