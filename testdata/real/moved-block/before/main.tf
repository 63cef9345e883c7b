resource "aws_lambda_function" "old" {
  function_name = "moved-fn"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "keep" {
  function_name = "moved-keep"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}
