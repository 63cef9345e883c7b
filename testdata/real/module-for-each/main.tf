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
  tracing_mode           = each.value
}
