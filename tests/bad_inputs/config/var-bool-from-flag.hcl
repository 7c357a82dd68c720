#! base: good
#! args: plan --var b=maybe
variable "b" {
  type = bool
}

