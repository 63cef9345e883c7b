resource "aws_lambda_function" "old" {
  function_name = "old"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}
