output "r" {
  value = [length([]), length(["a", "b"]), length({"a" = "b"}), length("hello"), length("👾🕹️")]
}
