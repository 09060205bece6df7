// assume_role through the built CLI, against a real STS: moto_server (on this machine) on a free
// loopback port, with IAM authentication on, so a role the credentials may not assume is refused
// as AWS would refuse it. SSM is the local endpoint, which keeps the role's account apart.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ListDocumentsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { startMoto, type RunningServer } from "../local/processes.js";
import { behindTheBack, run } from "./helpers.js";

const ROLE = "arn:aws:iam::111111111111:role/deploy";

function config(roleArn: string): string {
  return `
provider "ssm" {
  endpoint = "local"
}
provider "ssm" {
  alias    = "prod"
  endpoint = "local"
  region   = "us-west-2"
  assume_role {
    role_arn     = "${roleArn}"
    session_name = "statectl-test"
    external_id  = "org-baseline"
    duration     = "15m"
  }
}
document "here" {
  name    = "In-Own-Account"
  content = { schemaVersion = "2.2", description = "d", mainSteps = [{ action = "aws:runShellScript", name = "s", inputs = { runCommand = ["echo"] } }] }
}
document "there" {
  provider = ssm.prod
  name     = "In-Prod-Account"
  content  = { schemaVersion = "2.2", description = "d", mainSteps = [{ action = "aws:runShellScript", name = "s", inputs = { runCommand = ["echo"] } }] }
}
`;
}

describe("cli: provider assume_role (moto_server as STS)", function () {
  this.timeout(120_000);
  let moto: RunningServer;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    // The first three calls (setting up a user who may assume only ROLE) are made before moto
    // starts checking credentials and IAM policies.
    moto = await startMoto({ INITIAL_NO_AUTH_ACTION_COUNT: "3" });
    const aws = (...args: string[]) => {
      const r = spawnSync("aws", ["--endpoint-url", moto.url, "--region", "us-east-1", "--output", "json", ...args], {
        encoding: "utf8",
        env: { ...process.env, AWS_ACCESS_KEY_ID: "setup", AWS_SECRET_ACCESS_KEY: "setup" },
      });
      if (r.status !== 0) throw new Error(`aws ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    aws("iam", "create-user", "--user-name", "ci");
    aws(
      "iam",
      "put-user-policy",
      "--user-name",
      "ci",
      "--policy-name",
      "deploy-only",
      "--policy-document",
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE }],
      }),
    );
    const key = (
      JSON.parse(aws("iam", "create-access-key", "--user-name", "ci")) as {
        AccessKey: { AccessKeyId: string; SecretAccessKey: string };
      }
    ).AccessKey;
    env = {
      AWS_ENDPOINT_URL_STS: moto.url,
      AWS_ACCESS_KEY_ID: key.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: key.SecretAccessKey,
      AWS_PROFILE: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
  });
  // Unset when before() failed.
  after(async () => (moto as RunningServer | undefined)?.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-assume-role-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("assumes the role and keeps what it makes in the role's account and region", async () => {
    writeFileSync(join(dir, "main.state"), config(ROLE));
    const plan = run(dir, ["plan"], undefined, env);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.include("ssm.prod (us-west-2, account 111111111111): 1 to add, 0 to change, 0 to destroy");
    const apply = run(dir, ["apply", "--auto-approve"], undefined, env);
    expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
    const seen = await behindTheBack(dir, async (own, endpoint) => {
      const names = async (c: SSMClient) =>
        (
          (await c.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] })))
            .DocumentIdentifiers ?? []
        ).map((d) => d.Name);
      const clients = {
        prodAccount: new SSMClient({
          endpoint: endpoint.url,
          region: "us-west-2",
          credentials: { accessKeyId: "111111111111", secretAccessKey: "x" },
        }),
        ownAccountWest: new SSMClient({
          endpoint: endpoint.url,
          region: "us-west-2",
          credentials: { accessKeyId: "statectl-local", secretAccessKey: "x" },
        }),
      };
      try {
        return {
          own: await names(own),
          prodAccount: await names(clients.prodAccount),
          ownAccountWest: await names(clients.ownAccountWest),
        };
      } finally {
        for (const c of Object.values(clients)) c.destroy();
      }
    });
    expect(seen).to.deep.equal({ own: ["In-Own-Account"], prodAccount: ["In-Prod-Account"], ownAccountWest: [] });
    const again = run(dir, ["plan", "--detailed-exitcode"], undefined, env);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
  });

  it("a role the credentials may not assume is a clear error naming the provider and the role; nothing is applied", () => {
    const wrong = "arn:aws:iam::111111111111:role/not-mine";
    writeFileSync(join(dir, "main.state"), config(wrong));
    const r = run(dir, ["apply", "--auto-approve"], undefined, env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("error[engine/assume-role-failed]: Provider ssm.prod cannot assume its role");
    expect(r.stderr).to.include(
      `provider ssm.prod could not assume the role ${wrong} (account 111111111111) with AWS STS: AccessDenied`,
    );
    expect(r.stderr).to.include("--> main.state:5:1");
    expect(r.stdout).to.not.include("Apply complete");
  });

  it("a role_arn that is not a role's ARN, or a duration outside STS's limits, is refused before any call", () => {
    writeFileSync(
      join(dir, "main.state"),
      config("arn:aws:iam::111111111111:user/ci").replace('duration     = "15m"', 'duration     = "13h"'),
    );
    const r = run(dir, ["validate"], undefined, env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include("error[eval/invalid-provider-argument]");
    expect(r.stderr).to.include('"arn:aws:iam::111111111111:user/ci" is not the ARN of an IAM role');
  });
});
