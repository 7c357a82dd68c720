output "r" {
  value = file("${path.module}/hello.txt")
}
