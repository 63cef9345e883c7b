variable "mode" {
  type = string
}

module "lambda" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "7.20.0"
  function_name = "wrapped"
  tracing_mode  = var.mode
}
