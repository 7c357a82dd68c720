output "r" {
  value = [signum(-13), signum(0), signum(344)]
}
