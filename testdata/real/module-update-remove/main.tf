module "fn" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "8.8.1"

  function_name          = "mod-upd"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  # AWS refuses Active tracing for a role that cannot write to X-Ray (issue 15).
  attach_tracing_policy  = true
}
