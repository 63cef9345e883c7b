removed {
  from = aws_lambda_function.forgotten

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_lambda_function.destroyed

  lifecycle {
    destroy = true
  }
}
