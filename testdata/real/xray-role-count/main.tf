data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# A role with count: an attachment naming it would need an index per function.
resource "aws_iam_role" "fn" {
  count              = 1
  name               = "xray-role-count-${count.index}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_lambda_function" "fn" {
  function_name = "xray-role-count"
  role          = aws_iam_role.fn[0].arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
}
