variable "mode" {
  type    = string
  default = "PassThrough"
}

variable "auto_mode" {
  type    = string
  default = "Active"
}

variable "file_mode" {
  type    = string
  default = "PassThrough"
}

resource "aws_lambda_function" "a" {
  function_name = "tfvars-a"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.mode
  }
}

resource "aws_lambda_function" "b" {
  function_name = "tfvars-b"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.auto_mode
  }
}

resource "aws_lambda_function" "c" {
  function_name = "tfvars-c"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.file_mode
  }
}
