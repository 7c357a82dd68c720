resource "modelarts_devserver" "s" {
  name          = "lang-ds"
  flavor        = "Si2.large.4"
  image_id      = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  key_pair_name = "kp"
  network {
    vpc_id            = "v"
    subnet_id         = "s"
    security_group_id = "g"
  }
  charging_info {
    charging_mode = "POST_PAID"
  }
}
