module "fn" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "8.8.1"

  function_name          = "mod-unset"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  /* the start of the closing line is inside this comment
  */ }
