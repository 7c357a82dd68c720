module "team" {
  source   = "./modules/team"
  for_each = toset(["ana", "bo"])
  member   = each.key
}
