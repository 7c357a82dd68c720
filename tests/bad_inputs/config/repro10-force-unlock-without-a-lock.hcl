#! base: good
#! args: force-unlock --force 0000
#! expect: Error
