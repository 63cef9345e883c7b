resource "aws_lambda_function" "active" {
  function_name = "lit-active"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function" "passthrough" {
  function_name = "lit-passthrough"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
		/* é日本 */ mode = "PassThrough" # ü
  }
}

resource "aws_lambda_function" "unset" {
  function_name = "lit-unset"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

}
