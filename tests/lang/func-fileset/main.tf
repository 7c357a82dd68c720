output "r" {
  value = fileset(path.module, "files/**/*.txt")
}
