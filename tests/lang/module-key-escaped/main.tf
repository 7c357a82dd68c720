module "box" {
  source   = "./modules/box"
  for_each = { "a\"b\\c" = "one", "plain" = "two" }
  name     = "esc-${each.value}"
}
