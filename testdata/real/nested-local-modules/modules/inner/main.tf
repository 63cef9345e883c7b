variable "name" {
  type = string
}

variable "mode" {
  type = string
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

  dynamic "tracing_config" {
    for_each = var.mode == null ? [] : [var.mode]
    content {
      mode = tracing_config.value
    }
  }
}
