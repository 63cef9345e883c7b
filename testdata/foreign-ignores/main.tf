# Other tools' skip comments for the tracing check. Every function here sets no tracing_config,
# so each fails unless a skip counts. .tracegate.toml beside this file sets foreign_ignores = true.

resource "aws_lambda_function" "checkov_in_body" {
  #checkov:skip=CKV_AWS_50:batch job, its caller traces every invocation
  function_name = "checkov-in-body"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

resource "aws_lambda_function" "checkov_no_reason" {
  #checkov:skip=CKV_AWS_50
  function_name = "checkov-no-reason"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

resource "aws_lambda_function" "checkov_other_check" {
  #checkov:skip=CKV_AWS_116:no dead-letter queue needed
  function_name = "checkov-other-check"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

#trivy:ignore:AVD-AWS-0066 legacy, retired in Q1
resource "aws_lambda_function" "trivy_above" {
  function_name = "trivy-above"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

#trivy:ignore:AVD-AWS-0066:exp:2020-01-01 a temporary exception
resource "aws_lambda_function" "trivy_expired" {
  function_name = "trivy-expired"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

# trivy:ignore:aws-lambda-enable-tracing
resource "aws_lambda_function" "trivy_no_reason" {
  function_name = "trivy-no-reason"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

resource "aws_lambda_function" "tfsec_inline" { # tfsec:ignore:aws-lambda-enable-tracing:exp:2999-12-31 owned by the vendor's pipeline
  function_name = "tfsec-inline"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

#tfsec:ignore:aws-lambda-enable-tracing:ws:prod only in prod
resource "aws_lambda_function" "tfsec_workspace" {
  function_name = "tfsec-workspace"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

resource "aws_lambda_function" "in_strings" {
  function_name = "#checkov:skip=CKV_AWS_50:inside a string"
  description   = <<EOT
#tfsec:ignore:aws-lambda-enable-tracing inside a heredoc
EOT
  role          = "arn:aws:iam::123456789012:role/lambda"
}

resource "aws_lambda_function" "trivy_in_body" {
  #trivy:ignore:AVD-AWS-0066 Trivy reads its ignores above the block, not in it
  function_name = "trivy-in-body"
  role          = "arn:aws:iam::123456789012:role/lambda"
}

module "vendor" {
  source  = "registry.terraform.io/example/lambda/aws"
  version = "1.0.0"
}
