#! base: good
#! args: plan --var n=notanumber-SECRET
#! forbid: SECRET
variable "n" {
  type      = number
  sensitive = true
}

