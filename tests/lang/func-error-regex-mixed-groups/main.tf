output "r" {
  value = regex("(?P<a>x)(y)", "xy")
}
