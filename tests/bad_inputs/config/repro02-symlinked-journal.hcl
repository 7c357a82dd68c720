#! base: good
#! link: state/default.json.journal -> ../victim.txt
#! args: apply --auto-approve
#! expect: symbolic link
