#! base: good
module "m" {
  source = "./m"
}
