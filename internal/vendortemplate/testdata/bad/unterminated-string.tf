resource "a" "b" {
  name = "oops
}
