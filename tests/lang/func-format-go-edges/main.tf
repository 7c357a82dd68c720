output "hex_negative" {
  value = format("%x", -255)
}
output "zero_padded_string" {
  value = format("%05s", "ab")
}
output "bool_from_string" {
  value = format("%t", "true")
}
output "indexed" {
  value = format("%[2]s-%[1]s", "a", "b")
}
output "zero_padded_dash_string" {
  value = format("%05v", "-ab")
}
output "big_whole" {
  value = format("%d", 1e20)
}
output "v_number" {
  value = format("%v", 1000000)
}
