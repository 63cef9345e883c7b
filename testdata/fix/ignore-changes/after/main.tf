resource "aws_lambda_function" "ignored" {
  function_name = "ign-pt"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }

  lifecycle {
  }
}
