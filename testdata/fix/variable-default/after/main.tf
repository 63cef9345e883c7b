variable "mode" {
  type    = string
  default = "Active"
}

variable "other_mode" {
  type    = string
  default = "Active"
}

resource "aws_lambda_function" "a" {
  function_name = "var-default-a"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.mode
  }
}

resource "aws_lambda_function" "b" {
  function_name = "var-default-b"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.other_mode
  }
}
