variable "mode" {
  type      = string
  default   = "Active"
  sensitive = true
}

variable "weak" {
  type      = string
  default   = "Active"
  sensitive = true
}

resource "aws_lambda_function" "secret" {
  function_name = "sens-active"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.mode
  }
}

resource "aws_lambda_function" "weak" {
  function_name = "sens-passthrough"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.weak
  }
}
