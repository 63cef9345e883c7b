resource "aws_lambda_function" "kept" {
  function_name = "fix-ign-list"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  description   = "first"
  tracing_config {
    mode = "PassThrough"
  }
}
