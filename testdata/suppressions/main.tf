# Suppression scenarios. Every function here sets no tracing_config, so each would fail.

# tracegate:ignore[D9.AWS.OPE.07] batch job: its caller traces every invocation
resource "aws_lambda_function" "ignored_above" {
  function_name = "ignored-above"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

resource "aws_lambda_function" "ignored_inline" { # tracegate:ignore[D9.AWS.OPE.07] legacy, replaced in Q1
  function_name = "ignored-inline"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

# tracegate:ignore[D9.AWS.OPE.07]
resource "aws_lambda_function" "no_reason" {
  function_name = "no-reason"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

resource "aws_lambda_function" "by_file" {
  function_name = "by-file"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

resource "aws_lambda_function" "expired" {
  function_name = "expired"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

module "legacy" {
  source = "./modules/legacy"
}
