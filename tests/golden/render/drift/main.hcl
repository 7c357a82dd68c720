resource "fake_thing" "changed" {
  name = "chg"
  size = 5
}

resource "fake_thing" "deleted" {
  name = "del"
}
