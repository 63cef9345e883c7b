module "fn" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "8.8.1"

  function_name          = "xray-mod-no-attach"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  tracing_mode           = "Active"
  # attach_tracing_policy is left at its default, false: the role the module makes cannot write
  # to X-Ray.
  attach_tracing_policy = true
}
