// A YAML alias bomb ("billion laughs"), for the tests of every place that reads YAML.

/** 9 levels of 9 aliases each: 9^9 (387 million) strings once expanded, 490 bytes as text. */
export function yamlAliasBomb(): string {
  const lines = [
    'schemaVersion: "2.2"',
    "description: bomb",
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ];
  let previous = "a";
  for (const name of "bcdefghi") {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    previous = name;
  }
  lines.push(
    "mainSteps:",
    "  - action: aws:runShellScript",
    "    name: run",
    "    inputs:",
    `      runCommand: *${previous}`,
  );
  return lines.join("\n") + "\n";
}
