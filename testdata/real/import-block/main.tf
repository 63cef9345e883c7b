import {
  to = aws_lambda_function.adopted
  id = "console-made"
}

import {
  to = aws_lambda_function.adopted_as_is
  id = "console-made-2"
}

resource "aws_lambda_function" "adopted" {
  function_name = "console-made"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function" "adopted_as_is" {
  function_name = "console-made-2"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

}
