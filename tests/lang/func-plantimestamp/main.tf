output "r" {
  value = length(regexall("^\\d{4}-\\d{2}-\\d{2}T", plantimestamp()))
}
