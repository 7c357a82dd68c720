output "r" {
  value = [strcontains("hello world", "wor"), strcontains("hello world", "wod")]
}
