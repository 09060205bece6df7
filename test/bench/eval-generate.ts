/** The configuration `npm run bench:eval` loads and evaluates: N associations plus a for_each over M keys. */
export function generateEvalConfig(blocks: number, keys: number): string {
  const parts = [
    'variable "env" {\n  type    = string\n  default = "prod"\n}\n',
    `variable "fleets" {\n  type    = set(string)\n  default = [${Array.from({ length: keys }, (_, i) => `"k${i}"`).join(", ")}]\n}\n`,
    'locals {\n  tags = merge({ owner = "platform" }, { env = var.env })\n}\n',
    'document "d" {\n  name    = "D-${var.env}"\n  content = jsonencode({ schemaVersion = "2.2", mainSteps = [] })\n}\n',
    'association "fleet" {\n  for_each = var.fleets\n  name     = "fleet-${each.key}"\n  document = document.d.name\n}\n',
  ];
  for (let i = 0; i < blocks; i++) {
    parts.push(
      `association "a${i}" {\n  name     = "a${i}-\${var.env}"\n  document = document.d.name\n  targets {\n    key    = "tag:Group"\n    values = [format("g-%03d", ${i % 1000})]\n  }\n  parameters = {\n    commands = ["echo ${i}", upper(var.env)]\n  }\n  tags            = local.tags\n  max_concurrency = var.env == "prod" ? "10%" : "100%"\n  schedule        = "rate(1 day)"\n}\n`,
    );
  }
  return parts.join("\n");
}
