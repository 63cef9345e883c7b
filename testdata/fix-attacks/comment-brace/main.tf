resource "aws_lambda_function" "active" {
  function_name = "lit-active"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function" "passthrough" {
  function_name = "lit-passthrough"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "unset" {
  function_name = "lit-unset"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  /* the start of the closing line is inside this comment
  */ }
