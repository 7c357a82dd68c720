output "r" {
  value = [lookup({a = "ay", b = "bee"}, "a", "what?"), lookup({a = "ay", b = "bee"}, "c", "what?")]
}
