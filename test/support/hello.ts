// The hello configuration: the document and association that the import tests create with the SDK and then bring under
// management: a Hello document (hello.json) and an association running it on the web role.
export const HELLO_CONTENT = JSON.stringify(
  {
    schemaVersion: "2.2",
    description: "Say hello",
    mainSteps: [{ action: "aws:runShellScript", name: "hello", inputs: { runCommand: ["echo hello"] } }],
  },
  null,
  2,
);

export const HELLO_CONFIG = `provider "ssm" {
  endpoint = "local"
}

document "hello" {
  name    = "Hello"
  content = file("hello.json")
}

association "hello" {
  name     = "HelloWeb"
  document = document.hello.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
}
`;
