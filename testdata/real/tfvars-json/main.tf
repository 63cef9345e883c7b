variable "modes" {
  type = map(string)
}

resource "aws_lambda_function" "a" {
  function_name = "tfvars-json-a"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = var.modes["a"]
  }
}

resource "aws_lambda_function" "b" {
  function_name = "tfvars-json-b"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = lookup(var.modes, "b", "Active")
  }
}
