resource "aws_lambda_function" "kept" {
  function_name = "fix-ign-list"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  description   = "second"
  tracing_config {
    mode = "Active"
  }

  lifecycle {
    # description is someone else's: only tracing_config must go.
    ignore_changes = [description, tracing_config]
  }
}
