moved {
  from = aws_lambda_function.old
  to   = aws_lambda_function.new
}

moved {
  from = aws_lambda_function.keep
  to   = aws_lambda_function.renamed
}

resource "aws_lambda_function" "new" {
  function_name = "moved-fn"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function" "renamed" {
  function_name = "moved-keep"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"

}
