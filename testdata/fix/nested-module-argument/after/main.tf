module "team_a" {
  source = "./modules/outer"
  name   = "nested-a"
  mode   = "Active"
}

module "team_b" {
  source = "./modules/outer"
  name   = "nested-b"
  mode   = "Active"
}
