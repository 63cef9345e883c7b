# Trimmed from terraform-aws-modules/terraform-aws-lambda (Apache-2.0): the parts that set tracing.
resource "aws_lambda_function" "this" {
  count = var.create ? 1 : 0

  function_name = var.function_name
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"

  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [true]
    content {
      mode = var.tracing_mode
    }
  }
}
