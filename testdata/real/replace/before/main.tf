resource "aws_lambda_function" "renamed" {
  function_name = "repl-old"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "renamed_unset" {
  function_name = "repl-unset-old"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}
