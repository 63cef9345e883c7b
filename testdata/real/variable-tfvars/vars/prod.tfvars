file_mode = "Active"
