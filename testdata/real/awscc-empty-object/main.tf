resource "awscc_lambda_function" "empty" {
  function_name = "cc-empty"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  code = {
    zip_file = "def handler(event, context):\n    return None\n"
  }
  tracing_config = {}
}
