#! base: good
output "o" {
  description = "x"
}
