output "upper" {
  value = upper("straße")
}
output "lower" {
  value = lower("ΑΣ")
}
output "plain" {
  value = upper("hello")
}
output "dotted_i" {
  value = lower("İ")
}
output "iota" {
  value = upper("ᾳ")
}
