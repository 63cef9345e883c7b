# A downloaded module: its skip comments are not the repository's, so none counts.
#tfsec:ignore:aws-lambda-enable-tracing the module's author says so
resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_50:the module's author says so
  function_name = "vendor"
  role          = "arn:aws:iam::123456789012:role/lambda"
}
