variable "prefix" {
  type = string
}

module "inner" {
  source = "../inner"
  prefix = var.prefix
}

output "inner_name" {
  value = "${var.prefix}-inner"
}

output "inner_id" {
  value = module.inner.id
}

output "where" {
  value = path.module
}
