# Replaces every tracing_config block of the worker in main.tf.json.
resource "aws_lambda_function" "worker" {
  dynamic "tracing_config" {
    for_each = [1]
    content {
      mode = "PassThrough"
    }
  }
}
