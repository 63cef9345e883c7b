tracing_mode = "Active"
