resource "fake_thing" "a" {
  name = "a"
}
