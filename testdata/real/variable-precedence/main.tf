variable "cli_wins" {
  type    = string
  default = "PassThrough"
}

variable "auto_order" {
  type    = string
  default = "Active"
}

variable "auto_over_tfvars" {
  type    = string
  default = "PassThrough"
}

resource "aws_lambda_function" "cli" {
  function_name = "prec-cli"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.cli_wins
  }
}

resource "aws_lambda_function" "auto" {
  function_name = "prec-auto"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.auto_order
  }
}

resource "aws_lambda_function" "over" {
  function_name = "prec-over"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.auto_over_tfvars
  }
}
