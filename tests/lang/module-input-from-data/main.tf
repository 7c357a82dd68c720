data "modelarts_images" "pytorch" {
  name = "pytorch2.1-cpu-py3.10-ubuntu22.04"
}

data "modelarts_flavors" "small" {
  category  = "CPU"
  min_vcpus = 2
}

module "nb" {
  source   = "./modules/nb"
  image_id = data.modelarts_images.pytorch.id
}
