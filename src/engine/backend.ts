// Where a configuration's state lives, per workspace: the local file (`state { path }`, default
// statectl.state.json) or the S3 backend (`backend "s3"`). Also the selected workspace (kept in
// .statectl/workspace beside the configuration, like Terraform's .terraform/environment), the
// workspace commands' logic, and migrating a state from one storage to another.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve as resolvePath } from "node:path";
import { defined, error, type Diagnostic } from "../diag/index.js";
import type { S3BackendSettings } from "../config/index.js";
import { FileStateStorage, type State, type StateStorage } from "../state/index.js";
import {
  S3StateStorage,
  s3WorkspaceKey,
  DEFAULT_WORKSPACE_KEY_PREFIX,
  type S3StateStorageOptions,
} from "../state-s3/index.js";

export const DEFAULT_WORKSPACE = "default";
/** The environment variable that selects a workspace for one command (like TF_WORKSPACE). */
export const WORKSPACE_ENV = "STATECTL_WORKSPACE";
/** Local workspaces' state files: statectl.state.d/NAME/<file name> beside the default state file. */
export const LOCAL_WORKSPACES_DIR = "statectl.state.d";
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$/;

/** What the engine knows of where the state lives. */
export interface StateLocation {
  /** The configuration directory. */
  dir: string;
  /** The default workspace's local state file (absolute). */
  statePath: string;
  /** Present for `backend "s3"`. */
  backend?: S3BackendSettings;
}

function selectionFile(dir: string): string {
  return join(dir, ".statectl", "workspace");
}

export function invalidWorkspaceName(name: string): Diagnostic | undefined {
  if (WORKSPACE_NAME.test(name) && !name.includes("..")) return undefined;
  return error("workspace/invalid-name", "Invalid workspace name", {
    detail: `"${name}" is not a workspace name: use letters, digits, "-", "_" and "." (starting with a letter or digit), at most 90 characters.`,
  });
}

/** The selected workspace: STATECTL_WORKSPACE, else the one `workspace select` recorded, else "default". */
export async function selectedWorkspace(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const fromEnv = env[WORKSPACE_ENV];
  if (fromEnv) return fromEnv;
  try {
    const text = (await readFile(selectionFile(dir), "utf8")).trim();
    return text || DEFAULT_WORKSPACE;
  } catch {
    return DEFAULT_WORKSPACE;
  }
}

export async function recordSelectedWorkspace(dir: string, name: string): Promise<void> {
  if (name === DEFAULT_WORKSPACE) {
    await rm(selectionFile(dir), { force: true });
    return;
  }
  await mkdir(dirname(selectionFile(dir)), { recursive: true });
  await writeFile(selectionFile(dir), `${name}\n`, "utf8");
}

export function s3StorageOptions(settings: S3BackendSettings, workspace: string): S3StateStorageOptions {
  return {
    bucket: settings.bucket,
    key: s3WorkspaceKey(settings.key, workspace, settings.workspaceKeyPrefix ?? DEFAULT_WORKSPACE_KEY_PREFIX),
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.forcePathStyle !== undefined ? { forcePathStyle: settings.forcePathStyle } : {}),
    ...(settings.encrypt !== undefined ? { encrypt: settings.encrypt } : {}),
    ...(settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId } : {}),
    ...(settings.assumeRole ? { assumeRole: settings.assumeRole } : {}),
    ...(settings.connectTimeoutMs !== undefined || settings.requestTimeoutMs !== undefined
      ? {
          timeouts: {
            ...(settings.connectTimeoutMs !== undefined ? { connectTimeoutMs: settings.connectTimeoutMs } : {}),
            ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
          },
        }
      : {}),
  };
}

export function localWorkspacePath(statePath: string, workspace: string): string {
  return workspace === DEFAULT_WORKSPACE
    ? statePath
    : join(dirname(statePath), LOCAL_WORKSPACES_DIR, workspace, basename(statePath));
}

/** The storage of one workspace's state. */
export function stateStorageFor(where: StateLocation, workspace: string): StateStorage {
  if (where.backend) return new S3StateStorage(s3StorageOptions(where.backend, workspace));
  return new FileStateStorage(localWorkspacePath(where.statePath, workspace));
}

/** Releases what a storage holds open (the S3 client's sockets). */
export function closeStorage(storage: StateStorage): void {
  if (storage instanceof S3StateStorage) storage.destroy();
}

/** Reads the state once and releases the storage: for commands that only look at the state. */
export async function readStateOnce(storage: StateStorage): ReturnType<StateStorage["read"]> {
  try {
    return await storage.read();
  } finally {
    closeStorage(storage);
  }
}

/** Every workspace that has a state, plus "default" and the selected one. */
export async function listWorkspaces(where: StateLocation): Promise<{ names: string[]; diagnostics: Diagnostic[] }> {
  const names = new Set<string>([DEFAULT_WORKSPACE]);
  if (where.backend) {
    const s = new S3StateStorage(s3StorageOptions(where.backend, DEFAULT_WORKSPACE));
    try {
      const r = await s.listWorkspaceNames(
        where.backend.key,
        where.backend.workspaceKeyPrefix ?? DEFAULT_WORKSPACE_KEY_PREFIX,
      );
      if (r.diagnostics.length > 0) return { names: [], diagnostics: r.diagnostics };
      for (const n of r.names) names.add(n);
    } finally {
      s.destroy();
    }
  } else {
    const base = join(dirname(where.statePath), LOCAL_WORKSPACES_DIR);
    let entries: string[];
    try {
      entries = await readdir(base);
    } catch {
      entries = [];
    }
    for (const e of entries) if (!invalidWorkspaceName(e)) names.add(e);
  }
  return {
    names: [...names].sort((a, b) => (a === DEFAULT_WORKSPACE ? -1 : b === DEFAULT_WORKSPACE ? 1 : a.localeCompare(b))),
    diagnostics: [],
  };
}

/**
 * Creates a workspace: an empty state (serial 1, new lineage) is written, so the workspace is
 * listed and others see it. Refuses a name that exists.
 */
export async function createWorkspace(where: StateLocation, name: string, initial: State): Promise<Diagnostic[]> {
  const bad = invalidWorkspaceName(name);
  if (bad) return [bad];
  const existing = await listWorkspaces(where);
  if (existing.diagnostics.length > 0) return existing.diagnostics;
  if (existing.names.includes(name))
    return [
      error("workspace/exists", "The workspace exists", {
        detail: `There is already a workspace "${name}".`,
        hint: `select it with: statectl workspace select ${name}`,
      }),
    ];
  const storage = stateStorageFor(where, name);
  try {
    const w = await storage.write(initial);
    return w.diagnostics;
  } finally {
    closeStorage(storage);
  }
}

/** Deletes a workspace whose state manages nothing (or anything, with force). Never "default" or the selected one. */
export async function deleteWorkspace(
  where: StateLocation,
  name: string,
  selected: string,
  opts: { force?: boolean; lockTimeoutMs?: number } = {},
): Promise<Diagnostic[]> {
  if (name === DEFAULT_WORKSPACE)
    return [
      error("workspace/cannot-delete", "Cannot delete the default workspace", {
        detail: 'The "default" workspace always exists.',
      }),
    ];
  if (name === selected)
    return [
      error("workspace/cannot-delete", "Cannot delete the selected workspace", {
        detail: `"${name}" is selected.`,
        hint: "select another workspace first: statectl workspace select default",
      }),
    ];
  const existing = await listWorkspaces(where);
  if (existing.diagnostics.length > 0) return existing.diagnostics;
  if (!existing.names.includes(name))
    return [
      error("workspace/not-found", "No such workspace", {
        detail: `There is no workspace "${name}".`,
        hint: `the workspaces are: ${existing.names.join(", ")}`,
      }),
    ];
  const storage = stateStorageFor(where, name);
  try {
    const l = await storage.lock({ operation: "workspace delete", timeoutMs: opts.lockTimeoutMs ?? 0 });
    if (!l.lock) return l.diagnostics;
    let unlocked = false;
    try {
      const r = await storage.read();
      if (r.diagnostics.some((d) => d.severity === "error")) return r.diagnostics;
      const count = r.state?.resources.length ?? 0;
      if (count > 0 && !opts.force) {
        return [
          error("workspace/not-empty", "The workspace still manages resources", {
            detail: `Workspace "${name}" (${storage.location}) manages ${count} resource instance${count === 1 ? "" : "s"}; deleting it would forget them while they stay in SSM.`,
            hint: `destroy them first (statectl workspace select ${name} && statectl destroy), or delete anyway with --force`,
          }),
        ];
      }
      if (storage instanceof S3StateStorage) {
        const d = await storage.deleteState();
        if (d.length > 0) return d;
      } else if (storage instanceof FileStateStorage) {
        await storage.unlock(l.lock.id);
        unlocked = true;
        await rm(dirname(storage.path), { recursive: true, force: true });
      }
      return [];
    } finally {
      if (!unlocked) await storage.unlock(l.lock.id);
    }
  } finally {
    closeStorage(storage);
  }
}

export interface MigrateResult {
  /** True when a state was copied. */
  migrated: boolean;
  /** The serial of the state as stored in the target. */
  serial?: number;
  /** How many resource instances came across. */
  resources?: number;
  diagnostics: Diagnostic[];
}

/** What copying `src` over `dst` would do: nothing (no state, or the target has it already), a copy, or a refusal. */
export type MigrationVerdict = "no-state" | "already-there" | "copy" | "target-not-empty";

export function migrationVerdict(src: State | undefined, dst: State | undefined): MigrationVerdict {
  if (!src) return "no-state";
  if (!dst) return "copy";
  if (dst.lineage !== src.lineage) return "target-not-empty";
  // An older copy of this very state (e.g. left behind by an earlier migration) is replaced.
  return dst.serial < src.serial ? "copy" : "already-there";
}

function targetNotEmpty(from: StateStorage, to: StateStorage, src: State, dst: State): Diagnostic {
  return error("backend/migrate-target-not-empty", "The new backend already holds a state", {
    detail: `Refusing to copy the state of ${from.location} (serial ${src.serial}, ${src.resources.length} resource instances) over ${to.location}, which holds another state (lineage ${dst.lineage}, serial ${dst.serial}, ${dst.resources.length} resource instances). Nothing was written.`,
    hint: `look at both (statectl state pull); remove the target's state yourself if it is not needed`,
  });
}

/**
 * Copies the state from one storage to another (a backend change, like `terraform init
 * -migrate-state`), both locked. Refuses to replace a target that already holds a different
 * state; a target that already holds this very state (same lineage, same or newer serial) is left
 * alone. The source is not deleted: it stays as a copy until the user removes it.
 */
export async function migrateState(
  from: StateStorage,
  to: StateStorage,
  opts: { lockTimeoutMs?: number } = {},
): Promise<MigrateResult> {
  const fromLock = await from.lock({ operation: "migrate state", timeoutMs: opts.lockTimeoutMs ?? 0 });
  if (!fromLock.lock) return { migrated: false, diagnostics: fromLock.diagnostics };
  try {
    const toLock = await to.lock({ operation: "migrate state", timeoutMs: opts.lockTimeoutMs ?? 0 });
    if (!toLock.lock) return { migrated: false, diagnostics: toLock.diagnostics };
    try {
      const src = await from.read();
      if (src.diagnostics.some((d) => d.severity === "error")) return { migrated: false, diagnostics: src.diagnostics };
      if (!src.state) return { migrated: false, diagnostics: [] };
      const dst = await to.read();
      if (dst.diagnostics.some((d) => d.severity === "error")) return { migrated: false, diagnostics: dst.diagnostics };
      const verdict = migrationVerdict(src.state, dst.state);
      // Both verdicts mean the target holds a state.
      if (verdict === "already-there" && dst.state)
        return { migrated: false, serial: dst.state.serial, resources: dst.state.resources.length, diagnostics: [] };
      if (verdict === "target-not-empty" && dst.state)
        return { migrated: false, diagnostics: [targetNotEmpty(from, to, src.state, dst.state)] };
      const w = await to.write(src.state);
      return w.state
        ? { migrated: true, serial: w.state.serial, resources: w.state.resources.length, diagnostics: w.diagnostics }
        : { migrated: false, diagnostics: w.diagnostics };
    } finally {
      await to.unlock(toLock.lock.id);
    }
  } finally {
    await from.unlock(fromLock.lock.id);
  }
}

/**
 * Where the state commands (`state …`, `force-unlock`, `workspace …`) find the state: an explicit
 * `--state PATH` wins; otherwise the configuration in `dir` decides (its backend, else the file
 * given by `defaultPath`), for the selected workspace. Only the state block is read: a
 * configuration with problems elsewhere still finds its state.
 */
export async function commandStateLocation(
  dir: string,
  opts: { explicitPath?: string; defaultPath: string; env?: Readonly<Record<string, string | undefined>> },
): Promise<{ where: StateLocation; workspace: string }> {
  const workspace = await selectedWorkspace(dir, opts.env ?? process.env);
  // Paths stay as given (relative to dir, the current directory), so messages show them as typed.
  if (opts.explicitPath !== undefined) return { where: { dir, statePath: opts.explicitPath }, workspace };
  const { loadConfig } = await import("../config/index.js");
  const loaded = loadConfig({ dir }, { env: opts.env ?? process.env });
  const backend = loaded.config.state?.backend?.s3;
  let statePath = opts.defaultPath;
  if (!backend && loaded.config.state?.path) {
    // `state { path = … }` may use variables (from the environment here), so it is evaluated.
    const { evaluateConfig } = await import("../eval/index.js");
    const configured = evaluateConfig(loaded.config).state;
    if (configured.configured) statePath = configured.path;
  }
  return { where: { dir, statePath, ...(backend ? { backend } : {}) }, workspace };
}

/** A state location named on the command line: a file path, or s3://BUCKET/KEY (with the SDK's standard settings). */
export function storageForLocationText(dir: string, text: string, s3?: Partial<S3BackendSettings>): StateStorage {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  if (m) {
    const [, bucket, key] = m;
    return new S3StateStorage(
      s3StorageOptions(
        {
          ...s3,
          bucket: defined(bucket, "the bucket of an s3:// location"),
          key: defined(key, "the key of an s3:// location"),
        },
        DEFAULT_WORKSPACE,
      ),
    );
  }
  return new FileStateStorage(resolvePath(dir, text));
}

/**
 * What `statectl init` last saw of where the state lives, kept in .statectl/backend.json beside the
 * configuration (Terraform keeps the same in .terraform/terraform.tfstate). When the `state` block
 * changes, init compares it with this record to offer to copy the state across, and plan/apply
 * use it to stop rather than plan against an empty new location.
 */
export type RecordedBackend = { type: "local"; path: string } | { type: "s3"; s3: S3BackendSettings };

const BACKEND_RECORD_VERSION = 1;

export function backendRecordFile(dir: string): string {
  return join(dir, ".statectl", "backend.json");
}

export function backendRecordOf(where: StateLocation): RecordedBackend {
  if (where.backend) return { type: "s3", s3: where.backend };
  // Relative to the configuration, so a moved or re-cloned folder keeps meaning the same file.
  return { type: "local", path: relative(where.dir, resolvePath(where.dir, where.statePath)) || where.statePath };
}

export function locationOfRecord(dir: string, rec: RecordedBackend): StateLocation {
  return rec.type === "s3"
    ? { dir, statePath: join(dir, DEFAULT_STATE_FILE), backend: rec.s3 }
    : { dir, statePath: resolvePath(dir, rec.path) };
}

/** The record init left; undefined when init never ran here (or the record is unreadable). */
export async function readRecordedBackend(dir: string): Promise<RecordedBackend | undefined> {
  try {
    const j = JSON.parse(await readFile(backendRecordFile(dir), "utf8")) as {
      type?: string;
      path?: unknown;
      s3?: unknown;
    };
    if (j.type === "local" && typeof j.path === "string") return { type: "local", path: j.path };
    if (
      j.type === "s3" &&
      j.s3 &&
      typeof (j.s3 as S3BackendSettings).bucket === "string" &&
      typeof (j.s3 as S3BackendSettings).key === "string"
    )
      return { type: "s3", s3: j.s3 as S3BackendSettings };
    return undefined;
  } catch {
    return undefined;
  }
}

export async function recordBackend(where: StateLocation): Promise<void> {
  const file = backendRecordFile(where.dir);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(
    file,
    JSON.stringify({ format_version: BACKEND_RECORD_VERSION, ...backendRecordOf(where) }, null, 2) + "\n",
    "utf8",
  );
}

/**
 * Whether two locations hold the same states: the same file, or the same bucket, key, workspace
 * prefix and endpoint. Other settings (region, profile, encryption, lock_timeout) change how the
 * state is reached, not which state it is.
 */
export function sameStateLocation(a: StateLocation, b: StateLocation): boolean {
  if (a.backend && b.backend) {
    const prefix = (s: S3BackendSettings): string => s.workspaceKeyPrefix ?? DEFAULT_WORKSPACE_KEY_PREFIX;
    return (
      a.backend.bucket === b.backend.bucket &&
      a.backend.key === b.backend.key &&
      prefix(a.backend) === prefix(b.backend) &&
      (a.backend.endpoint ?? "") === (b.backend.endpoint ?? "")
    );
  }
  if (a.backend || b.backend) return false;
  return resolvePath(a.dir, a.statePath) === resolvePath(b.dir, b.statePath);
}

/** "s3://bucket/key" or "the local file statectl.state.json", for messages. */
export function describeStateLocation(where: StateLocation): string {
  if (where.backend) return `s3://${where.backend.bucket}/${where.backend.key}`;
  return `the local file ${relativeOrAbsolute(resolvePath(where.dir, where.statePath))}`;
}

/** The file statectl uses beside the configuration when the state block names none. */
const DEFAULT_STATE_FILE = "statectl.state.json";

/**
 * Where the state lived before: what init recorded; before any init, the default local file
 * beside the configuration (what every statectl used before a backend was configured).
 * Undefined when that is where the state lives now.
 */
export async function previousStateLocation(
  current: StateLocation,
): Promise<{ previous?: StateLocation; recorded: boolean }> {
  const rec = await readRecordedBackend(current.dir);
  const previous = rec
    ? locationOfRecord(current.dir, rec)
    : { dir: current.dir, statePath: join(current.dir, DEFAULT_STATE_FILE) };
  return sameStateLocation(previous, current)
    ? { recorded: rec !== undefined }
    : { previous, recorded: rec !== undefined };
}

/** One workspace's part of a backend change. */
export interface WorkspaceMigration {
  workspace: string;
  from: string;
  to: string;
  verdict: MigrationVerdict;
  /** The source state's resource instances and serial, when there is one. */
  resources?: number;
  serial?: number;
  diagnostics: Diagnostic[];
}

/**
 * What moving from `from` to `to` means for every workspace `from` has: which states would be
 * copied, which are there already, and which the target refuses (another state in its place).
 * Reads only; takes no lock.
 */
export async function surveyMigration(
  from: StateLocation,
  to: StateLocation,
): Promise<{ workspaces: WorkspaceMigration[]; diagnostics: Diagnostic[] }> {
  const listed = await listWorkspaces(from);
  if (listed.diagnostics.length > 0) return { workspaces: [], diagnostics: listed.diagnostics };
  const workspaces: WorkspaceMigration[] = [];
  for (const name of listed.names) {
    const src = stateStorageFor(from, name);
    const dst = stateStorageFor(to, name);
    try {
      const s = await src.read();
      const entry: WorkspaceMigration = {
        workspace: name,
        from: shownLocation(src),
        to: shownLocation(dst),
        verdict: "no-state",
        diagnostics: [],
      };
      if (s.diagnostics.some((d) => d.severity === "error")) {
        workspaces.push({ ...entry, diagnostics: s.diagnostics });
        break;
      }
      if (!s.state) {
        workspaces.push(entry);
        continue;
      }
      const d = await dst.read();
      if (d.diagnostics.some((x) => x.severity === "error")) {
        // The target is unreachable (no bucket, no permission): once is enough to say so.
        workspaces.push({
          ...entry,
          resources: s.state.resources.length,
          serial: s.state.serial,
          diagnostics: d.diagnostics,
        });
        break;
      }
      const verdict = migrationVerdict(s.state, d.state);
      workspaces.push({
        ...entry,
        verdict,
        resources: s.state.resources.length,
        serial: s.state.serial,
        diagnostics: verdict === "target-not-empty" && d.state ? [targetNotEmpty(src, dst, s.state, d.state)] : [],
      });
    } finally {
      closeStorage(src);
      closeStorage(dst);
    }
  }
  return { workspaces, diagnostics: workspaces.flatMap((w) => w.diagnostics) };
}

/** Copies the states `surveyMigration` found to copy, workspace by workspace, each under both locks. */
export async function migrateWorkspaces(
  from: StateLocation,
  to: StateLocation,
  workspaces: readonly string[],
  opts: { lockTimeoutMs?: number } = {},
): Promise<{ results: (MigrateResult & { workspace: string })[]; diagnostics: Diagnostic[] }> {
  const results: (MigrateResult & { workspace: string })[] = [];
  for (const workspace of workspaces) {
    const src = stateStorageFor(from, workspace);
    const dst = stateStorageFor(to, workspace);
    try {
      const r = await migrateState(src, dst, opts);
      results.push({ ...r, workspace });
      if (r.diagnostics.some((d) => d.severity === "error")) break;
    } finally {
      closeStorage(src);
      closeStorage(dst);
    }
  }
  return { results, diagnostics: results.flatMap((r) => r.diagnostics) };
}

/**
 * When the state's location holds no state yet but where the state lived before (what init
 * recorded, else the default local file) still manages resources, the `state` block changed and
 * the state was not copied: an error that says how to migrate. Undefined otherwise, also when the
 * old location cannot be read (the new one is what the configuration asks for).
 */
export async function unmigratedState(
  current: StateLocation,
  workspace: string,
  target: string,
): Promise<Diagnostic | undefined> {
  const { previous } = await previousStateLocation(current);
  if (!previous) return undefined;
  const old = stateStorageFor(previous, workspace);
  let r: Awaited<ReturnType<StateStorage["read"]>>;
  try {
    r = await old.read();
  } finally {
    closeStorage(old);
  }
  if (!r.state || r.state.resources.length === 0) return undefined;
  const by =
    old instanceof FileStateStorage ? `, or: statectl state migrate --from ${relativeOrAbsolute(old.path)}` : "";
  return error("backend/migration-needed", "The state has not been migrated to the backend", {
    detail: `The configuration keeps its state in ${target}, which holds no state yet, but ${old.location} manages ${r.state.resources.length} resource instance${r.state.resources.length === 1 ? "" : "s"} (serial ${r.state.serial}). Planning against the empty location would create them all again.`,
    hint: `copy the state across with: statectl init (it asks first; in a script: statectl init -migrate-state -force-copy)${by}`,
  });
}

function shownLocation(storage: StateStorage): string {
  return storage instanceof FileStateStorage ? relativeOrAbsolute(storage.path) : storage.location;
}

function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
