provider "modelarts" {
  alias = "other"
}

module "here" {
  source = "./modules/box"
  name   = "here"
}

module "there" {
  source    = "./modules/box"
  name      = "there"
  providers = {
    modelarts = modelarts.other
  }
}
