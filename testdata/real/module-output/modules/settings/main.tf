variable "env" {
  type = string
}

output "tracing_mode" {
  value = var.env == "prod" ? "Active" : "PassThrough"
}
