output "r" {
  value = substr(path.cwd, 0, 1)
}
