output "r" {
  value = trimprefix("helloworld", "hello")
}
