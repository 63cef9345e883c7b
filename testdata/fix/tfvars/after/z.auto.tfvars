auto_mode = "Active"
