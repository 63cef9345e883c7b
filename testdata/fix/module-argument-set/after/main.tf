module "fn" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "8.8.1"

  function_name          = "mod-passthrough"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  tracing_mode           = "Active"
  attach_tracing_policy = true
}
