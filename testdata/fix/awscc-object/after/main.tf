resource "awscc_lambda_function" "active" {
  function_name = "cc-active"
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

resource "awscc_lambda_function" "passthrough" {
  function_name = "cc-passthrough"
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

resource "awscc_lambda_function" "unset" {
  function_name = "cc-unset"
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
