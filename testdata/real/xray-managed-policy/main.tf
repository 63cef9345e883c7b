data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# An AWS managed policy attached to a hand-written role.
resource "aws_iam_role" "daemon" {
  name               = "xray-daemon-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "daemon_xray" {
  role       = aws_iam_role.daemon.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "daemon" {
  function_name = "xray-managed-daemon"
  role          = aws_iam_role.daemon.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.daemon_xray]
}

# A customer managed policy (aws_iam_policy, jsonencode) with a wildcard action.
resource "aws_iam_role" "customer" {
  name               = "xray-customer-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_policy" "xray_put" {
  name = "xray-put"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PutAnything"
      Effect   = "Allow"
      Action   = "xray:Put*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "customer_xray" {
  role       = aws_iam_role.customer.name
  policy_arn = aws_iam_policy.xray_put.arn
}

resource "aws_lambda_function" "customer" {
  function_name = "xray-managed-customer"
  role          = aws_iam_role.customer.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.customer_xray]
}
