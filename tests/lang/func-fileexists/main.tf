output "r" {
  value = [fileexists("hello.txt"), fileexists("nope.txt")]
}
