variable "name" {
  type = string
}

variable "mode" {
  type    = string
  default = null
}

module "inner" {
  source = "../inner"
  name   = var.name
  mode   = var.mode
}
