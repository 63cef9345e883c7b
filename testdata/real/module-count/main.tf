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
  # AWS refuses Active tracing for a role that cannot write to X-Ray (issue 15).
  attach_tracing_policy  = true
  tracing_mode           = var.modes[count.index]
}
