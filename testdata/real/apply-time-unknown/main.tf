resource "terraform_data" "flag" {
  input = "on"
}

resource "null_resource" "switch" {
  triggers = {
    flag = terraform_data.flag.output
  }
}

resource "aws_lambda_function" "from_id" {
  function_name = "unknown-from-id"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    # terraform_data.id is only known after apply: so is the mode.
    mode = terraform_data.flag.id != "" ? "Active" : "PassThrough"
  }
}

resource "aws_lambda_function" "from_null" {
  function_name = "unknown-from-null"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = null_resource.switch.id == "" ? "Active" : "PassThrough"
  }
}
