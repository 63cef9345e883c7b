import {
  to = awscc_lambda_function.adopted
  id = "cc-console"
}

resource "awscc_lambda_function" "adopted" {
  function_name = "cc-console"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  code = {
    zip_file = "def handler(event, context):\n    return None\n"
  }
  tracing_config = {
    mode = "Active"
  }
}
