auto_order       = "Active"
auto_over_tfvars = "Active"
