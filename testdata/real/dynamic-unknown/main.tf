resource "terraform_data" "switch" {
  input = "on"
}

resource "aws_lambda_function" "fn" {
  function_name = "dyn-unknown"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  dynamic "tracing_config" {
    # Whether the block exists at all is known only after apply.
    for_each = terraform_data.switch.id != "" ? ["Active"] : []
    content {
      mode = tracing_config.value
    }
  }
}
