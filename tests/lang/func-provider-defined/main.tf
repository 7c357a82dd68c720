output "r" {
  value = provider::aws::arn_parse("x")
}
