variable "n" {
  type    = number
  default = 1
}

resource "aws_lambda_function" "fn" {
  function_name = "shrink-${count.index}"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  count = var.n
  tracing_config {
    mode = "Active"
  }
}
