output "r" {
  value = yamlencode({"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"})
}
