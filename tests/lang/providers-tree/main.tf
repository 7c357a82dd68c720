module "team" {
  source = "./modules/team"
}
module "none" {
  source = "./modules/empty"
}
