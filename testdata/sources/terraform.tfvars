tfvars_mode = "PassThrough"
