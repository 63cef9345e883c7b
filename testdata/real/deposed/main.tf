resource "aws_lambda_function" "fn" {
  function_name = "dep-v2"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  lifecycle {
    create_before_destroy = true
  }
}
