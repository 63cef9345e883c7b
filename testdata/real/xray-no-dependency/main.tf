data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "fn" {
  name               = "xray-race-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

# No reference to the attachment and no depends_on: Terraform creates the function and the
# attachment at the same time, once the role exists.
resource "aws_lambda_function" "fn" {
  function_name = "xray-race"
  role          = aws_iam_role.fn.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}
