locals {
  modes = {
    api    = "Active"
    worker = "PassThrough"
  }
  default_mode = local.modes["api"]
}

resource "aws_lambda_function" "api" {
  function_name = "locals-api"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = local.modes["api"]
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "locals-worker"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = local.modes.worker
  }
}

resource "aws_lambda_function" "chained" {
  function_name = "locals-chained"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = local.default_mode
  }
}
