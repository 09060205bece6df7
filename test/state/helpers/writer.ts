/**
 * Test helper, run as a child process: writes the state at argv[2] over and over, each time
 * changing it, until it is killed (or, as a bound, after 20 s). Prints "ready" after its first
 * write so the parent knows a state exists before it starts killing.
 */
import { emptyState, FileStateStorage, setInstance } from "../../../src/state/index.js";

const path = process.argv[2]!;
const storage = new FileStateStorage(path);
const read = await storage.read();
if (read.diagnostics.length > 0) {
  process.stderr.write(JSON.stringify(read.diagnostics) + "\n");
  process.exit(2);
}
let state = read.state ?? emptyState({ statectlVersion: "test" });
const deadline = Date.now() + 20_000;
const blob = "x".repeat(2000);
for (let i = 0; Date.now() < deadline; i++) {
  const n = (state.serial + i) % 40;
  state = setInstance(state, {
    address: `association.a[${n}]`,
    kind: "association",
    provider: "ssm",
    id: `id-${state.serial}`,
    attributes: { serial: state.serial, blob, secret: "s3cr3t" },
    sensitiveAttributes: [["secret"]],
    dependencies: [],
  });
  const w = await storage.write(state);
  if (!w.state) {
    process.stderr.write(JSON.stringify(w.diagnostics) + "\n");
    process.exit(3);
  }
  state = w.state;
  if (i === 0) process.stdout.write("ready\n");
}
