variable "role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/lambda"
}

# Roles this configuration does not manage: the plan cannot say what they are allowed. In the
# double's account `lambda` can write to X-Ray and `lambda-no-xray` cannot.
resource "aws_lambda_function" "granted" {
  function_name = "xray-outside-granted"
  role          = var.role_arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function" "refused" {
  function_name = "xray-outside-refused"
  role          = "arn:aws:iam::123456789012:role/lambda-no-xray"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}
