resource "fake_thing" "created" {
  name = "new"
  size = 3
  tags = {
    team = "ml"
  }
}

resource "fake_thing" "updated" {
  name        = "upd"
  description = "line one\nline two\nline three"
  size        = 9
}

resource "fake_thing" "replaced" {
  name = "rep"
  zone = "z2"
}

resource "fake_thing" "shrunk" {
  name = "shr"
  size = 1
}

resource "fake_thing" "counted" {
  count = 1
  name  = "c${count.index}"
}

output "created_id" {
  value = fake_thing.created.id
}
