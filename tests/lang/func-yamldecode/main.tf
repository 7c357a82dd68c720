output "r" {
  value = yamldecode("hello: world")
}
