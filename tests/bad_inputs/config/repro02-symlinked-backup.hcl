#! base: good
#! link: state/default.json.backup -> ../victim.txt
#! args: apply --auto-approve
#! expect: symbolic link
