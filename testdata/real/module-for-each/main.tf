variable "functions" {
  type = map(string)
  default = {
    ingest = "Active"
    export = "PassThrough"
  }
}

module "fn" {
  source   = "terraform-aws-modules/lambda/aws"
  version  = "8.8.1"
  for_each = var.functions

  function_name          = "mod-fe-${each.key}"
  handler                = "index.handler"
  runtime                = "python3.12"
  create_package         = false
  local_existing_package = "function.zip"
  # AWS refuses Active tracing for a role that cannot write to X-Ray (issue 15).
  attach_tracing_policy  = true
  tracing_mode           = each.value
}
