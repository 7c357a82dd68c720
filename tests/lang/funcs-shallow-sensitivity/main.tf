resource "modelarts_notebook" "nb" {
  for_each = toset(["a", "b"])
  name     = "sh-${each.key}"
  flavor   = "modelarts.vm.cpu.2u"
  image_id = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  volume {
    category = "EVS"
  }
}
output "n" {
  value = length(modelarts_notebook.nb)
}
output "k" {
  value = keys(modelarts_notebook.nb)
}
output "names" {
  value = values(modelarts_notebook.nb)[*].name
}
output "m" {
  value = merge({ a = "x" }, { s = sensitive("y") }).a
}
output "l" {
  value = lookup({ a = "x", s = sensitive("y") }, "a", "z")
}
