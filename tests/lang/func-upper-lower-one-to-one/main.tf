output "upper" {
  value = upper("straße")
}
output "lower" {
  value = lower("ΑΣ")
}
output "plain" {
  value = upper("hello")
}
