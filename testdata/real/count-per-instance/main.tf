variable "modes" {
  type    = list(string)
  default = ["Active", "PassThrough", null]
}

resource "aws_lambda_function" "fn" {
  count         = length(var.modes)
  function_name = "count-${count.index}"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

  dynamic "tracing_config" {
    for_each = var.modes[count.index] == null ? [] : [var.modes[count.index]]
    content {
      mode = tracing_config.value
    }
  }
}
