variable "tracing_mode" {
  type    = string
  default = null
}
resource "terraform_data" "this" {
  input = var.tracing_mode
}
module "inner" {
  source = "./modules/inner"
  mode   = var.tracing_mode
}
