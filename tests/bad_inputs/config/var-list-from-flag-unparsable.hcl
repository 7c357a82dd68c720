#! base: good
#! args: plan --var l=[unclosed
variable "l" {
  type = list(string)
}

