variable "function_name" {
  type = string
}

variable "tracing_config" {
  type = object({
    mode = string
  })
  default = null
}

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"

  dynamic "tracing_config" {
    for_each = var.tracing_config == null ? [] : [var.tracing_config]
    content {
      mode = tracing_config.value.mode
    }
  }
}
