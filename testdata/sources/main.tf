# Scenarios for the source layer: each function below is judged from the plan in plan.json and
# located in these files.

resource "aws_lambda_function" "literal" {
  function_name = "literal"
  role          = var.role
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"

  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "omitted" {
  function_name = "omitted"
  role          = var.role
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

resource "aws_lambda_function" "by_default" {
  function_name = "by-default"
  role          = var.role
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"

  tracing_config {
    mode = var.default_mode
  }
}

resource "aws_lambda_function" "by_tfvars" {
  function_name = "by-tfvars"
  role          = var.role
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"

  tracing_config {
    mode = var.tfvars_mode
  }
}

# A local module whose only caller sets nothing: its default decides.
module "local_fn" {
  source = "./modules/fn"
  name   = "local"
}

# A registry module with the common dynamic pattern, once without the input, once with it.
module "worker" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "7.20.0"
  function_name = "worker"
}

module "api" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "7.20.0"
  function_name = "api"
  tracing_mode  = "Active"
}

# The object pattern: for_each = var.tracing_config == null ? [] : [var.tracing_config].
module "cfg" {
  source        = "example/lambda-cfg/aws"
  version       = "1.0.0"
  function_name = "cfg"
}

# A local module that passes its input on to the registry module.
module "wrapper" {
  source = "./modules/wrapper"
  mode   = local.wrapper_mode
}

# The mode is only known after apply: the dynamic block's for_each cannot be evaluated.
module "from_ssm" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "7.20.0"
  function_name = "from-ssm"
  tracing_mode  = aws_ssm_parameter.tracing.value
}

resource "aws_ssm_parameter" "tracing" {
  name  = "/lambda/tracing"
  type  = "String"
  value = random_shuffle.mode.result[0]
}

resource "random_shuffle" "mode" {
  input        = ["Active", "PassThrough"]
  result_count = 1
}

locals {
  wrapper_mode = coalesce(var.override_mode, "PassThrough")
}
