variable "role" {
  type    = string
  default = "arn:aws:iam::123456789012:role/lambda"
}

variable "default_mode" {
  type    = string
  default = "PassThrough"
}

variable "tfvars_mode" {
  type    = string
  default = "Active"
}

variable "override_mode" {
  type    = string
  default = null
}
