#! base: good
#! env: MAFORM_VAR_n=abc
variable "n" {
  type = number
}

