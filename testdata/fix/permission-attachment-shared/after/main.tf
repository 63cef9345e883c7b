data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "shared" {
  name               = "xray-shared-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "shared_xray_2" {
  role       = aws_iam_role.shared.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

# Named as tracegate's fix would name its attachment, but it grants logs only.
resource "aws_iam_role_policy_attachment" "shared_xray" {
  role       = aws_iam_role.shared.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "api" {
  function_name = "xray-shared-api"
  role          = aws_iam_role.shared.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.shared_xray, aws_iam_role_policy_attachment.shared_xray_2]
}

resource "aws_lambda_function" "worker" {
  for_each      = toset(["a", "b"])
  function_name = "xray-shared-worker-${each.key}"
  role          = aws_iam_role.shared.arn
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = "Active"
  }
  depends_on = [aws_iam_role_policy_attachment.shared_xray_2]
}
