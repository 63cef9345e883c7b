cli_wins         = "PassThrough"
auto_over_tfvars = "PassThrough"
