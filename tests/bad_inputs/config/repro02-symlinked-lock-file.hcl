#! base: good
#! link: state/default.json.lock -> ../victim.txt
#! args: apply --auto-approve
#! expect: symbolic link
