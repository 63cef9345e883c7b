resource "terraform_data" "gate" {
  input = "on"
}

resource "aws_lambda_function" "fn" {
  function_name = "upd-unknown"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = terraform_data.gate.id != "" ? "Active" : "PassThrough"
  }
}
