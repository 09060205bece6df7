// The configuration both status tests apply: one scheduled association on the web role and one
// unscheduled on the db role.
export const CONFIG = `provider "ssm" {
  endpoint = "local"
}

association "web" {
  name     = "WebCheck"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = {
    commands = ["echo ok"]
  }
  schedule = "rate(1 day)"
}

association "db" {
  name     = "DbCheck"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["db"]
  }
  parameters = {
    commands = ["echo ok"]
  }
}
`;
