output "r" {
  value = "%{ for ip in ["a", "b"] ~}\nserver ${ip}\n%{ endfor ~}"
}
