module "prod" {
  source = "./modules/settings"
  env    = "prod"
}

module "dev" {
  source = "./modules/settings"
  env    = "dev"
}

resource "aws_lambda_function" "prod" {
  function_name = "modout-prod"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = module.prod.tracing_mode
  }
}

resource "aws_lambda_function" "dev" {
  function_name = "modout-dev"
  role          = "arn:aws:iam::123456789012:role/lambda"
  filename      = "function.zip"
  handler       = "index.handler"
  runtime       = "python3.12"
  tracing_config {
    mode = module.dev.tracing_mode
  }
}
