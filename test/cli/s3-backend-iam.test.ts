// The S3 backend's "no permission" path over the real S3 wire protocol: moto_server with IAM
// authentication on (INITIAL_NO_AUTH_ACTION_COUNT), so S3 refuses a request the caller's policy
// does not allow with a 403 AccessDenied, as AWS does. The built CLI runs plan/apply as a user
// who may read the state but not write it, and as one with no access to the bucket at all.
//
// "Wrong region" is not tested here because moto cannot reproduce it: moto 5.2.1 serves a bucket
// created in eu-west-1 to a client signing for us-east-1 as if it were local (GetObject answers
// NoSuchKey, PutObject succeeds), with no 301 PermanentRedirect or AuthorizationHeaderMalformed.
// docs/backends.md says so; the mapping of those answers is covered by the unit tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { startMoto, type RunningServer } from "../local/processes.js";
import { behindTheBack, run } from "./helpers.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";

const BUCKET = "statectl-iam-state";
const KEY = "team/statectl.state.json";

interface AccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
}

describe("cli: the S3 backend refuses cleanly without permission (moto_server with IAM on)", function () {
  this.timeout(180_000);
  let moto: RunningServer;
  let dir: string;
  let admin: AccessKey;
  const users: Record<string, AccessKey> = {};

  function aws(key: AccessKey | undefined, ...args: string[]): string {
    const creds = key
      ? { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey }
      : { AWS_ACCESS_KEY_ID: "setup", AWS_SECRET_ACCESS_KEY: "setup" };
    const r = spawnSync("aws", ["--endpoint-url", moto.url, "--region", "us-east-1", "--output", "json", ...args], {
      encoding: "utf8",
      env: { ...process.env, ...creds, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
    });
    if (r.status !== 0) throw new Error(`aws ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  function user(name: string, statements: unknown[]): AccessKey {
    aws(undefined, "iam", "create-user", "--user-name", name);
    aws(
      undefined,
      "iam",
      "put-user-policy",
      "--user-name",
      name,
      "--policy-name",
      `${name}-policy`,
      "--policy-document",
      JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    );
    return (JSON.parse(aws(undefined, "iam", "create-access-key", "--user-name", name)) as { AccessKey: AccessKey })
      .AccessKey;
  }

  before(async () => {
    // The first thirteen requests (four users, the bucket) are made before moto starts checking
    // credentials and policies; every later request is authorised against IAM.
    moto = await startMoto({ INITIAL_NO_AUTH_ACTION_COUNT: "13" });
    admin = user("admin", [{ Effect: "Allow", Action: "*", Resource: "*" }]);
    // May read the state (and list the bucket) but not write it or take the lock.
    users["reader"] = user("reader", [
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketVersioning"],
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      },
    ]);
    // Has S3 rights, but only on another bucket.
    users["stranger"] = user("stranger", [
      {
        Effect: "Allow",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::some-other-bucket", "arn:aws:s3:::some-other-bucket/*"],
      },
    ]);
    // The policy docs/backends.md lists, for this bucket and key.
    users["team"] = user("team", [
      {
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: `arn:aws:s3:::${BUCKET}`,
        Condition: { StringLike: { "s3:prefix": ["workspaces/*"] } },
      },
      { Effect: "Allow", Action: "s3:GetBucketVersioning", Resource: `arn:aws:s3:::${BUCKET}` },
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: [
          `arn:aws:s3:::${BUCKET}/${KEY}`,
          `arn:aws:s3:::${BUCKET}/${KEY}.backup`,
          `arn:aws:s3:::${BUCKET}/${KEY}.lock`,
        ],
      },
    ]);
    aws(undefined, "s3api", "create-bucket", "--bucket", BUCKET);
  });
  // Unset when before() failed.
  after(async () => (moto as RunningServer | undefined)?.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-s3-iam-"));
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    writeFileSync(
      join(dir, "main.state"),
      `${HELLO_CONFIG}
state {
  backend "s3" {
    bucket           = "${BUCKET}"
    key              = "${KEY}"
    region           = "us-east-1"
    endpoint         = "${moto.url}"
    force_path_style = true
  }
}
`,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const as = (key: AccessKey): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: key.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: key.SecretAccessKey,
    AWS_PROFILE: "",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });
  const objects = (): string[] =>
    (
      (
        JSON.parse(aws(admin, "s3api", "list-objects-v2", "--bucket", BUCKET) || "{}") as {
          Contents?: { Key: string }[];
        }
      ).Contents ?? []
    )
      .map((o) => o.Key)
      .sort();
  const documents = () =>
    behindTheBack(dir, async (c) =>
      (
        (await c.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] })))
          .DocumentIdentifiers ?? []
      ).map((d) => d.Name),
    );

  it("a user without s3:PutObject gets backend/access-denied naming s3://bucket/key on plan and apply, exit 1, and nothing is written in S3 or SSM", async () => {
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const r = run(dir, args, undefined, as(users["reader"]!));
      const out = r.stdout + r.stderr;
      expect(r.code, out).to.equal(1);
      expect(out).to.contain("error[backend/access-denied]: No permission on the state bucket");
      expect(out).to.contain(`s3://${BUCKET}/${KEY}`);
      expect(out).to.contain("AccessDenied");
      expect(out).to.contain("Nothing was written.");
      expect(out).to.contain("docs/backends.md");
      expect(out).not.to.match(/Apply complete|Creating\.\.\./);
    }
    expect(objects()).to.deep.equal([]);
    expect(await documents()).to.deep.equal([]);
  });

  it("a user with no access to the bucket at all is refused on reading the state, naming s3://bucket/key", async () => {
    const r = run(dir, ["apply", "--auto-approve"], undefined, as(users["stranger"]!));
    const out = r.stdout + r.stderr;
    expect(r.code, out).to.equal(1);
    expect(out).to.contain("error[backend/access-denied]");
    expect(out).to.contain(`s3://${BUCKET}/${KEY}`);
    expect(out).not.to.match(/Apply complete|Creating\.\.\./);
    expect(objects()).to.deep.equal([]);
    expect(await documents()).to.deep.equal([]);
  });

  it("the same configuration applies as a user with exactly the policy docs/backends.md lists", async () => {
    const r = run(dir, ["apply", "--auto-approve"], undefined, as(users["team"]!));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(objects()).to.include(KEY);
    expect(objects()).not.to.include(`${KEY}.lock`);
  });
});
