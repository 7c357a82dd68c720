output "r" {
  value = urlencode("foo:bar@localhost?foo=bar&bar=baz")
}
