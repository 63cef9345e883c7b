resource "aws_lambda_function" "forgotten" {
  function_name = "rm-forgotten"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_lambda_function" "destroyed" {
  function_name = "rm-destroyed"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "PassThrough"
  }
}
