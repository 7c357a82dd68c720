#! base: good
#! env: MAFORM_WORKSPACE=../../tmp/x
#! expect: invalid workspace name
