#! base: good
#! expect: a check block needs at least one assert block
check "x" {
}
