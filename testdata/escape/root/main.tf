# A hostile source tree: module sources, a modules.json entry and a symlink that lead out of the
# source root. None of them may be read.
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/fn.zip"
}

module "climb" {
  source = "../outside/mod"
}

module "absolute" {
  source = "example/absolute/aws"
}
