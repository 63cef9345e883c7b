auto_order = "PassThrough"
