output "r" {
  value = yamldecode("a: &x [1]
b: *x")
}
