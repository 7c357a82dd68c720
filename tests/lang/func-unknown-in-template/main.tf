output "r" {
  value = "${uper("a")}"
}
