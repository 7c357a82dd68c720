output "r" {
  value = [true && false, true || false, !true, 1 == 1, "a" != "b"]
}
