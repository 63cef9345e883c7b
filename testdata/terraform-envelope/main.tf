variable "tracing_mode" {
  type    = string
  default = "Active"
}
variable "names" {
  type    = set(string)
  default = ["a", "b"]
}
resource "terraform_data" "lambda_root" {
  input = var.tracing_mode
}
resource "terraform_data" "counted" {
  count = 2
  input = "x"
}
resource "terraform_data" "each" {
  for_each = var.names
  input    = each.key
}
module "worker" {
  source       = "./modules/fn"
  tracing_mode = var.tracing_mode
}
