resource "aws_lambda_function" "api" {
  function_name = "api"

  tracing_config {
    mode = "Active"
  }

  lifecycle {
    ignore_changes = [tracing_config]
  }
}
