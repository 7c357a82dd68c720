output "r" {
  value = [path.module, path.root]
}
