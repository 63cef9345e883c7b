variable "mode" {
  type = string
}
resource "terraform_data" "this" {
  input = var.mode
}
