# Outside the source root (testdata/escape/root): tracegate must never read this file.
resource "aws_lambda_function" "api" {
  function_name = "outside-secret-marker"
  tracing_config {
    mode = "Active"
  }
}
