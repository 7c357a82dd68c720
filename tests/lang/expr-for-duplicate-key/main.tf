output "r" {
  value = {for s in ["ab", "ac"] : substr(s, 0, 1) => s}
}
