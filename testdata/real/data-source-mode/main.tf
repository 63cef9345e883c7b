data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_lambda_function" "by_region" {
  function_name = "ds-region"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = data.aws_region.current.region == "us-east-1" ? "Active" : "PassThrough"
  }
}

resource "aws_lambda_function" "by_account" {
  function_name = "ds-account"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = data.aws_caller_identity.current.account_id == "000000000000" ? "Active" : "PassThrough"
  }
}
