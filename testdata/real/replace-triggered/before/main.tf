resource "terraform_data" "release" {
  input = "v1"
}

resource "aws_lambda_function" "fn" {
  function_name = "repl-trig"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}
