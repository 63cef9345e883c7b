resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "build/fn.zip"
  handler       = "index.handler"
  runtime       = "nodejs20.x"

  dynamic "tracing_config" {
    for_each = aws_ssm_parameter.mode.arn == "" ? [] : [1]
    content {
      mode = "Active"
    }
  }
}

resource "aws_ssm_parameter" "mode" {
  name  = "/lambda/mode"
  type  = "String"
  value = "Active"
}
