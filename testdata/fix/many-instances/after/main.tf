# Three instances share one configuration: one edit fixes all of them.
resource "aws_lambda_function" "fleet" {
	for_each      = toset(["a", "b", "c"])
	function_name = "fix-fleet-${each.key}"
	role          = "arn:aws:iam::123456789012:role/lambda"
	filename      = "function.zip"
	handler       = "index.handler"
	runtime       = "python3.12"
	tracing_config {
		mode = "Active"
	}
}
