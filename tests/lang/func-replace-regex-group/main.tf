output "r" {
  value = replace("hello world", "/(h)(e)/", "$2$1")
}
