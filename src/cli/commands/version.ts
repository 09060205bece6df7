import type { Command } from "commander";
import { out } from "../io.js";

/** The versions a bug report needs: statectl's, Node's, the AWS SDK's, and the platform. */
export async function versions(): Promise<{ statectl: string; node: string; awsSdk: string; platform: string }> {
  const { statectlVersion } = await import("../../state/index.js");
  const { createRequire } = await import("node:module");
  let awsSdk = "unknown";
  try {
    awsSdk = (createRequire(import.meta.url)("@aws-sdk/client-ssm/package.json") as { version: string }).version;
  } catch {
    // an installation without the SDK's package.json still reports the rest
  }
  return {
    statectl: statectlVersion(),
    node: process.versions.node,
    awsSdk,
    platform: `${process.platform}_${process.arch}`,
  };
}

export function registerVersion(program: Command): void {
  program
    .command("version")
    .description("print the versions of statectl, Node.js and the AWS SDK (for bug reports)")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const v = await versions();
      if (opts.json) {
        out(
          JSON.stringify(
            {
              format_version: "1.0",
              statectl_version: v.statectl,
              node_version: v.node,
              aws_sdk_version: v.awsSdk,
              platform: v.platform,
            },
            null,
            2,
          ),
        );
        return;
      }
      out(`statectl v${v.statectl}\non ${v.platform}\n+ Node.js v${v.node}\n+ @aws-sdk/client-ssm v${v.awsSdk}`);
    });
}
