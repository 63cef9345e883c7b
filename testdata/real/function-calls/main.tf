variable "override" {
  type    = string
  default = null
}

locals {
  settings = {
    tracing = "passthrough"
  }
}

resource "aws_lambda_function" "coalesced" {
  function_name = "fc-coalesce"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = coalesce(var.override, "Active")
  }
}

resource "aws_lambda_function" "titled" {
  function_name = "fc-title"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = title(local.settings.tracing) == "Passthrough" ? "PassThrough" : "Active"
  }
}

resource "aws_lambda_function" "tried" {
  function_name = "fc-try"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = try(local.settings.missing, "Active")
  }
}

resource "aws_lambda_function" "formatted" {
  function_name = "fc-format"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = format("%sThrough", "Pass")
  }
}
