#! base: good
locals "x" {
  a = 1
}
