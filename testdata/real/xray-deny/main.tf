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
  name               = "xray-deny-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# Everything is allowed by one policy, X-Ray denied by another: the explicit Deny wins.
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy" "no_xray" {
  name = "no-xray"
  role = aws_iam_role.fn.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "NoXRay"
      Effect   = "Deny"
      Action   = ["xray:*"]
      Resource = "*"
    }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "xray-deny"
  role          = aws_iam_role.fn.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.admin, aws_iam_role_policy.no_xray]
}
