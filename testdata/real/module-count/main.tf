variable "modes" {
  type    = list(string)
  default = ["Active", null]
}

module "fn" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "8.8.1"
  count   = length(var.modes)

  function_name          = "mod-count-${count.index}"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  tracing_mode           = var.modes[count.index]
}
