variable "traced" {
  type    = bool
  default = true
}

# A dynamic block whose content writes PassThrough: the literal in the content is the fix site.
resource "aws_lambda_function" "dyn" {
  function_name = "fix-dyn"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

  dynamic "tracing_config" {
    for_each = var.traced ? [1] : []
    content {
      mode = "PassThrough" # the literal to change
    }
  }
}
