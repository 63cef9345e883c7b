resource "aws_lambda_function" "api" {
  function_name = "api"
}
