locals {
  prod = terraform.workspace == "prod"
}

resource "aws_lambda_function" "by_workspace" {
  function_name = "ws-by-workspace"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = local.prod ? "Active" : "PassThrough"
  }
}

resource "aws_lambda_function" "not_prod" {
  function_name = "ws-not-prod"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = terraform.workspace != "prod" ? "Active" : "PassThrough"
  }
}
