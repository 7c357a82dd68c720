output "r" {
  value = trimsuffix("helloworld", "world")
}
