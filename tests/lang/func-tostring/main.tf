output "r" {
  value = [tostring("hello"), tostring(1), tostring(true), tostring(null)]
}
