import {
  to = aws_lambda_function.adopted
  id = "console-active"
}

resource "aws_lambda_function" "adopted" {
  function_name = "console-active"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

}
