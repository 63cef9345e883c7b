resource "awscc_lambda_function" "renamed" {
  function_name = "ccr-new"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  code = {
    zip_file = "def handler(event, context):\n    return None\n"
  }
}
