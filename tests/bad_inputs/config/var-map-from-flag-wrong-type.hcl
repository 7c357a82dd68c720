#! base: good
#! args: plan --var m={a="x"}
variable "m" {
  type = map(number)
}

