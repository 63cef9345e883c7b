data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "xray" {
  statement {
    sid       = "XRayWrite"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

# An inline aws_iam_role_policy whose document comes from aws_iam_policy_document (known at plan).
resource "aws_iam_role" "inline" {
  name               = "xray-doc-inline-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "xray" {
  name   = "xray"
  role   = aws_iam_role.inline.id
  policy = data.aws_iam_policy_document.xray.json
}

resource "aws_lambda_function" "inline" {
  function_name = "xray-doc-inline"
  role          = aws_iam_role.inline.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy.xray]
}

# The role's own inline_policy block (created with the role, so the function's reference to the
# role orders it).
resource "aws_iam_role" "block" {
  name               = "xray-doc-block-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  inline_policy {
    name   = "xray"
    policy = data.aws_iam_policy_document.xray.json
  }
}

resource "aws_lambda_function" "block" {
  function_name = "xray-doc-block"
  role          = aws_iam_role.block.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}

# A document that names a resource made in the same apply: the data source is read during the
# apply, so the plan holds no policy text.
resource "aws_cloudwatch_log_group" "late" {
  name = "/aws/lambda/xray-doc-late"
}

data "aws_iam_policy_document" "late" {
  statement {
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.late.arn}:*"]
  }
}

resource "aws_iam_role" "late" {
  name               = "xray-doc-late-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "late" {
  name   = "late"
  role   = aws_iam_role.late.name
  policy = data.aws_iam_policy_document.late.json
}

resource "aws_lambda_function" "late" {
  function_name = "xray-doc-late"
  role          = aws_iam_role.late.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy.late]
}
