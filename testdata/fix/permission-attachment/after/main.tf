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
  name               = "xray-untraced-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "fn_xray" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# No tracing_config: PassThrough, which needs no X-Ray permission, so the apply succeeds.
resource "aws_lambda_function" "fn" {
  function_name = "xray-untraced"
  role          = aws_iam_role.fn.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  depends_on    = [aws_iam_role_policy_attachment.logs, aws_iam_role_policy_attachment.fn_xray]
  tracing_config {
    mode = "Active"
  }
}
