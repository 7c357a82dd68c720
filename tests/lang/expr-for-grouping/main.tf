output "r" {
  value = {for s in ["ab", "ac", "bd"] : substr(s, 0, 1) => s...}
}
