variable "name" {
  type = string
}

variable "tracing_mode" {
  type    = string
  default = "PassThrough"
}
