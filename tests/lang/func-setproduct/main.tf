output "r" {
  value = setproduct(["development", "staging"], ["app1", "app2"])
}
