variable "mode" {
  type    = string
  default = "PassThrough"
}

resource "aws_lambda_function" "fn" {
  function_name = "env-var"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.mode
  }
}
