auto_mode = "PassThrough"
