output "r" {
  value = "$${literal} %%{literal}"
}
