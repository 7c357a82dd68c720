output "r" {
  value = timeadd("2017-11-22T00:00:00Z", "1 day")
}
