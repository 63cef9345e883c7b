locals {
  functions = {
    orders   = { mode = "Active" }
    payments = { mode = "PassThrough" }
    reports  = { mode = null }
  }
}

resource "aws_lambda_function" "fn" {
  for_each      = local.functions
  function_name = "fe-${each.key}"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

  dynamic "tracing_config" {
    for_each = each.value.mode == null ? [] : [each.value.mode]
    content {
      mode = tracing_config.value
    }
  }
}

resource "aws_lambda_function" "set" {
  for_each      = toset(["alpha", "beta"])
  function_name = "fe-set-${each.value}"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

  tracing_config {
    mode = each.value == "alpha" ? "Active" : "PassThrough"
  }
}
