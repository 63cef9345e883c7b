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

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# The rule-1 fix applied (tracing_config Active): UpdateFunctionConfiguration is refused.
resource "aws_lambda_function" "fn" {
  function_name = "xray-untraced"
  role          = aws_iam_role.fn.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.logs]
}
