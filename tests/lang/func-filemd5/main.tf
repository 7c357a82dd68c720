output "r" {
  value = [filemd5("h.txt"), filesha1("h.txt"), filesha256("h.txt")]
}
