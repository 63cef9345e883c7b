module "billing" {
  source  = "./modules/service"
  name    = "wrapped-billing"
  tracing = true
}

module "search" {
  source  = "./modules/service"
  name    = "wrapped-search"
  tracing = false
}
