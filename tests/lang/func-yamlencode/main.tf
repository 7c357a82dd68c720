output "r" {
  value = yamlencode({"a":"b", "c":"d"})
}
