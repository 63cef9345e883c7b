moved {
  from = aws_lambda_function.fn
  to   = module.fn.aws_lambda_function.this
}

module "fn" {
  source = "./modules/fn"
  name   = "moved-in"
  mode   = "Active"
}
