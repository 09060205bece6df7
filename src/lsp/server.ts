// The Language Server: LSP over a pair of streams (stdio for `statectl lsp`). Keeps the open
// buffers, runs validation per configuration folder (the directory holding the file; open buffers
// override the files on disk) a moment after the last edit, publishes the diagnostics of every
// file of the folder, and answers completion, hover, definition and formatting requests.
//
// The connection comes from vscode-languageserver's transport-neutral API with our own watchdog,
// so the server never exits the process itself: `runLanguageServer` resolves with the exit code
// and the CLI decides what to do with it.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  MarkupKind,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic as LspDiagnostic,
  type InitializeParams,
  type InitializeResult,
  type Range as LspRange,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
// The transport-neutral createConnection takes our watchdog; the node flavour would exit the process.
import { createConnection } from "vscode-languageserver";
import {
  AUTO_VARS_SUFFIX,
  CONFIG_EXTENSION,
  readConfigurationDir,
  type ConfigurationText,
  type ReadProblem,
} from "../config/index.js";
import type { Diagnostic, Range } from "../diag/index.js";
import { toNative } from "../eval/index.js";
import { checkDocument, UNKNOWN_VALUE } from "../ssm/index.js";
import { parseFile, type Body, type ParseResult } from "../syntax/index.js";
import { formatSource } from "../syntax/format.js";
import { validateConfiguration, type ValidationMemo } from "../engine/validate.js";
import { complete, type FolderKnowledge } from "./completion.js";
import { moduleCallers } from "./callers.js";
import { definitionAt } from "./definition.js";
import { documentParameters, type ParameterInfo } from "./docs.js";
import { hoverAt } from "./hover.js";
import { collectDeclarations, type Declarations } from "./symbols.js";

export interface LanguageServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The environment to read `STATECTL_VAR_name` from, as `statectl validate` does. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How long after the last edit a folder is validated again (default 30 ms). */
  debounceMs?: number;
}

/** What a client may pass as `initializationOptions`. */
export interface InitializationOptions {
  /** `--var` values, `"name=value"`. */
  vars?: string[];
  /** `--var-file` paths, relative to each configuration folder. */
  varFiles?: string[];
  /**
   * Send a `statectl/validated` notification after each validation run that publishes
   * (`ValidatedParams`): what it did again rather than reuse. For tests and benchmarks.
   */
  statistics?: boolean;
  /**
   * `false`: every run evaluates and checks the whole folder again, reusing nothing but the
   * parses of unchanged files (what the server did before issue 23; `npm run bench` compares).
   */
  incremental?: boolean;
}

/** The `statectl/validated` notification (with `InitializationOptions.statistics`). */
export interface ValidatedParams {
  /** The folder, as a file URI. */
  folder: string;
  /** Resources (blocks) in the configuration, and how many of them this run evaluated rather than reused. */
  resources: number;
  evaluatedResources: number;
  /** Associations the SSM checks ran for (the others' problems were reused); 0 when the checks did not run. */
  checkedAssociations: number;
}

export const VALIDATED_NOTIFICATION = "statectl/validated";

/** One configuration folder: the directory holding `.state` files. */
interface Folder {
  dir: string;
  timer?: NodeJS.Timeout;
  /** Bumped by every run, so a slow run never publishes over a newer one. */
  generation: number;
  /** URIs diagnostics were last published for. */
  published: Set<string>;
  managedParameters: Map<string, Map<string, ParameterInfo>>;
  /**
   * The folder's files on disk as last read (by a validation run, which a change on disk the
   * client reports also starts): requests between runs use it instead of reading the folder.
   */
  disk?: { texts: Map<string, string>; problems: ReadProblem[] };
  /** What the last validation run found, for the next run to reuse (engine/validate.ts). */
  memo: ValidationMemo;
  /** The declarations of the folder's files, with the parses they came from (reused while none changed). */
  declarations?: { bodies: Body[]; declarations: Declarations };
}

/** Runs a language server until the client sends `exit` or closes the input; resolves with the exit code. */
export function runLanguageServer(options: LanguageServerOptions): Promise<number> {
  return new Promise((resolveExit) => {
    let shutdownReceived = false;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      for (const f of folders.values()) clearTimeout(f.timer);
      resolveExit(code);
    };
    const watchDog = {
      get shutdownReceived() {
        return shutdownReceived;
      },
      set shutdownReceived(v: boolean) {
        shutdownReceived = v;
      },
      initialize() {},
      exit: (code: number) => {
        connection.dispose();
        finish(code);
      },
    };
    const connection = createConnection((logger) => {
      const protocol = createProtocolConnection(
        new StreamMessageReader(options.input),
        new StreamMessageWriter(options.output),
        logger,
      );
      protocol.onClose(() => finish(shutdownReceived ? 0 : 1));
      return protocol;
    }, watchDog);
    // The client going away without `exit` ends the server too (the connection's own close event
    // does not fire for every kind of stream).
    options.input.on("end", () => finish(shutdownReceived ? 0 : 1));
    options.input.on("close", () => finish(shutdownReceived ? 0 : 1));
    const folders = new Map<string, Folder>();
    serve(connection, folders, options);
    connection.listen();
  });
}

type Connection = ReturnType<typeof createConnection>;

function serve(connection: Connection, folders: Map<string, Folder>, options: LanguageServerOptions): void {
  const documents = new TextDocuments(TextDocument);
  const env = options.env ?? {};
  // Short: a run re-checks only what the edit can affect, and a newer edit makes a running one's
  // results stale (they are dropped, and the run stops at its next pause). A run started between two
  // keystrokes stops when the second arrives, so a short wait costs little while typing.
  const debounceMs = options.debounceMs ?? 30;
  let init: InitializationOptions = {};
  let snippets = false;
  let watchRegistration = false;
  let workspaceRoots: string[] = [];
  /** Per folder: the folders that call it as a module (found again after any file is saved). */
  const callers = new Map<string, string[]>();
  const callersOf = (dir: string): string[] => {
    let c = callers.get(dir);
    if (!c) {
      c = moduleCallers(dir, workspaceRoots);
      callers.set(dir, c);
    }
    return c;
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    init = (params.initializationOptions ?? {}) as InitializationOptions;
    const fileRoot = (uri: string | null | undefined): string[] =>
      uri?.startsWith("file:") ? [fileURLToPath(uri)] : [];
    workspaceRoots = params.workspaceFolders?.length
      ? params.workspaceFolders.flatMap((f) => fileRoot(f.uri))
      : // eslint-disable-next-line @typescript-eslint/no-deprecated -- clients that send no workspaceFolders name their root only here
        fileRoot(params.rootUri);

    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    watchRegistration = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [".", '"'] },
        hoverProvider: true,
        definitionProvider: true,
        documentFormattingProvider: true,
      },
      serverInfo: { name: "statectl", version: process.env.npm_package_version ?? "0.1.0" },
    };
  });

  /** The folder and file name of a document (file URIs only; other schemes get a folder of their own in the working directory). */
  const locate = (uri: string): { dir: string; name: string } => {
    if (uri.startsWith("file:")) {
      const path = fileURLToPath(uri);
      return { dir: dirname(path), name: basename(path) };
    }
    return { dir: process.cwd(), name: basename(uri.replace(/[?#].*$/, "")) || "untitled.state" };
  };

  const uriOf = (dir: string, file: string): string => {
    const path = isAbsolute(file) ? file : resolve(dir, file);
    const open = documents.all().find((d) => d.uri.startsWith("file:") && fileURLToPath(d.uri) === path);
    return open?.uri ?? pathToFileURL(path).href;
  };

  /** The `.state` files open in the editor in `dir`, by file name. */
  const openTexts = (dir: string): Map<string, string> => {
    const texts = new Map<string, string>();
    for (const d of documents.all()) {
      const where = locate(d.uri);
      if (where.dir === dir && where.name.endsWith(CONFIG_EXTENSION)) texts.set(where.name, d.getText());
    }
    return texts;
  };

  /**
   * Every `.state` file of the folder: open buffers over the files on disk (read as validate reads
   * them: size limit, strict UTF-8). `problems` are the files on disk that could not be read.
   */
  const folderTexts = (dir: string, fresh = true): { texts: Map<string, string>; problems: Diagnostic[] } => {
    const open = openTexts(dir);
    const folder = folderFor(dir);
    if (fresh || !folder.disk) {
      // A folder that does not exist (a new buffer not saved yet) has only its open buffers.
      const read = readConfigurationDir(dir);
      folder.disk = { texts: new Map(read.files.map((f) => [f.name, f.text])), problems: read.problems };
    }
    const disk = folder.disk;
    const texts = new Map(disk.texts);
    for (const [name, text] of open) texts.set(name, text);
    // A file open in the editor is read from its buffer; a folder not saved yet is no problem.
    const problems = disk.problems
      .filter((p) => p.file !== undefined && !open.has(p.file) && !p.file.endsWith(AUTO_VARS_SUFFIX))
      .map((p) => p.diagnostic);
    return { texts: new Map([...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), problems };
  };

  const folderFor = (dir: string): Folder => {
    let f = folders.get(dir);
    if (!f) {
      f = { dir, generation: 0, published: new Set(), managedParameters: new Map(), memo: {} };
      folders.set(dir, f);
    }
    return f;
  };

  // The last parse of each file, so that requests between edits do not parse the folder again.
  // Validation runs use it too: only the files that changed since the last run are parsed again.
  const parses = new Map<string, { text: string; name: string; result: ParseResult }>();
  const parseResult = (dir: string, name: string, text: string): ParseResult => {
    const key = resolve(dir, name);
    const cached = parses.get(key);
    if (cached?.text === text && cached.name === name) return cached.result;
    const result = parseFile(text, name);
    parses.set(key, { text, name, result });
    return result;
  };
  const parse = (dir: string, name: string, text: string): Body | undefined => parseResult(dir, name, text).body;

  const knowledge = (dir: string, texts: ReadonlyMap<string, string>): FolderKnowledge => {
    const bodies: Body[] = [];
    for (const [name, text] of texts) {
      const body = parse(dir, name, text);
      if (body) bodies.push(body);
    }
    const modules = new Map<string, Declarations | undefined>();
    const moduleAt = (source: string): Declarations | undefined => {
      if (!source.startsWith("./") && !source.startsWith("../")) return undefined;
      const moduleDir = resolve(dir, source);
      if (!modules.has(moduleDir)) modules.set(moduleDir, moduleDeclarations(dir, moduleDir));
      return modules.get(moduleDir);
    };
    const folder = folderFor(dir);
    let known = folder.declarations;
    if (!known || known.bodies.length !== bodies.length || known.bodies.some((b, i) => b !== bodies[i])) {
      known = { bodies, declarations: collectDeclarations(bodies) };
      folder.declarations = known;
    }
    return { declarations: known.declarations, managedParameters: folder.managedParameters, moduleAt };
  };

  /** What the module in `moduleDir` declares: its open buffers over its files on disk, named from the calling folder (as diagnostics name them). */
  const moduleDeclarations = (dir: string, moduleDir: string): Declarations | undefined => {
    let names: string[];
    try {
      names = readdirSync(moduleDir).filter((n) => n.endsWith(CONFIG_EXTENSION));
    } catch {
      return undefined;
    }
    const texts = new Map<string, string>();
    for (const n of names) {
      const text = readText(join(moduleDir, n));
      if (text !== undefined) texts.set(n, text);
    }
    for (const [n, text] of openTexts(moduleDir)) texts.set(n, text);
    const bodies: Body[] = [];
    for (const [n, text] of texts) {
      const body = parse(dir, relative(dir, join(moduleDir, n)).split(sep).join("/"), text);
      if (body) bodies.push(body);
    }
    return collectDeclarations(bodies);
  };

  const validateFolder = async (folder: Folder) => {
    const generation = ++folder.generation;
    const { texts, problems } = folderTexts(folder.dir);
    const files: ConfigurationText[] = [...texts].map(([name, text]) => ({ name, text }));
    // A module folder opened alone is not a root: its required variables come from the module block.
    const asModule = callersOf(folder.dir).length > 0;
    const validated = await validateConfiguration({
      dir: folder.dir,
      files,
      vars: init.vars ?? [],
      varFiles: init.varFiles ?? [],
      env,
      syntaxOnly: problems.length > 0,
      asModule,
      parse: (text, name) => parseResult(folder.dir, name, text),
      ...(init.incremental === false ? {} : { memo: folder.memo }),
      // Between stages: answer what the editor asked meanwhile, and stop if a newer edit came.
      checkpoint: () =>
        new Promise<boolean>((resolve) =>
          setImmediate(() => resolve(generation === folder.generation && folder.timer === undefined)),
        ),
    });
    const result = { ...validated, diagnostics: [...problems, ...validated.diagnostics] };
    // A newer edit started another run meanwhile (or is waiting for its debounce); its diagnostics are the ones to show.
    if (validated.stale || generation !== folder.generation) return;
    if (result.evaluated) {
      const params = new Map<string, Map<string, ParameterInfo>>();
      for (const r of result.evaluated.resources) {
        if (r.kind !== "document" || params.has(r.name)) continue;
        const { document } = checkDocument(toNative(r.attrs, { unknown: UNKNOWN_VALUE }) as Record<string, unknown>);
        if (document?.content) params.set(r.name, documentParameters(document.content));
      }
      folder.managedParameters = params;
    }
    const byUri = new Map<string, LspDiagnostic[]>();
    for (const name of texts.keys()) byUri.set(uriOf(folder.dir, name), []);
    const firstUri = [...byUri.keys()][0];
    const lines = new Map<string, TextDocument | undefined>();
    const linesOf = (file: string) => {
      if (!lines.has(file)) {
        // Diagnostics may point into var files and into document files read by file().
        const text = texts.get(file) ?? result.sources?.get(file) ?? readText(resolve(folder.dir, file));
        lines.set(
          file,
          text === undefined ? undefined : TextDocument.create(uriOf(folder.dir, file), "statectl", 0, text),
        );
      }
      return lines.get(file);
    };
    for (const d of result.diagnostics) {
      const file = d.range?.file;
      const uri = file ? uriOf(folder.dir, file) : firstUri;
      if (!uri) continue;
      const list = byUri.get(uri) ?? [];
      list.push(toLspDiagnostic(d, file ? linesOf(file) : undefined));
      byUri.set(uri, list);
    }
    // Notifications: nothing comes back to wait for (a closed connection ends the server anyway).
    for (const uri of folder.published) if (!byUri.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    // In the file's order: a run that reused earlier findings gathers them in another order.
    for (const [uri, diagnostics] of byUri)
      void connection.sendDiagnostics({ uri, diagnostics: diagnostics.sort(byPlace) });
    folder.published = new Set(byUri.keys());
    if (init.statistics) {
      const resources = result.config?.resources.size ?? 0;
      const associations = result.evaluated?.resources.filter((r) => r.kind === "association").length ?? 0;
      const last =
        init.incremental === false
          ? { evaluatedResources: resources, checkedAssociations: associations }
          : folder.memo.last;
      const params: ValidatedParams = {
        folder: pathToFileURL(folder.dir).href,
        resources,
        evaluatedResources: result.evaluated ? (last?.evaluatedResources ?? 0) : 0,
        checkedAssociations: result.evaluated ? (last?.checkedAssociations ?? 0) : 0,
      };
      void connection.sendNotification(VALIDATED_NOTIFICATION, params);
    }
  };

  const schedule = (uri: string) => {
    const folder = folderFor(locate(uri).dir);
    clearTimeout(folder.timer);
    folder.timer = setTimeout(() => {
      folder.timer = undefined;
      validateFolder(folder).catch((e: unknown) =>
        connection.console.error(
          `statectl: validation failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        ),
      );
    }, debounceMs);
  };

  documents.onDidOpen((e) => schedule(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidSave((e) => {
    // A saved file may add or remove a module call.
    callers.clear();
    schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    const { dir, name } = locate(e.document.uri);
    parses.delete(resolve(dir, name));
    schedule(e.document.uri);
  });

  connection.onCompletion((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const { dir } = locate(doc.uri);
    const { texts } = folderTexts(dir, false);
    return complete(doc.getText(), doc.offsetAt(params.position), knowledge(dir, texts), { snippets });
  });

  /** What a position request needs: the open buffer parsed, and its folder's texts. */
  const atPosition = (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const { dir, name } = locate(doc.uri);
    const body = parse(dir, name, doc.getText());
    if (!body) return undefined;
    const { texts } = folderTexts(dir, false);
    return { doc, dir, body, texts };
  };

  connection.onHover((params) => {
    const at = atPosition(params.textDocument.uri);
    if (!at) return null;
    const { doc, dir, body, texts } = at;
    const hover = hoverAt(body, doc.offsetAt(params.position), knowledge(dir, texts), texts);
    return hover
      ? { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: toLspRange(hover.range, doc) }
      : null;
  });

  connection.onDefinition((params) => {
    const at = atPosition(params.textDocument.uri);
    if (!at) return null;
    const { doc, dir, body, texts } = at;
    const known = knowledge(dir, texts);
    const target = definitionAt(body, doc.offsetAt(params.position), known.declarations, known.moduleAt);
    if (!target) return null;
    const targetText = texts.get(target.file);
    return {
      uri: uriOf(dir, target.file),
      range: toLspRange(
        target,
        targetText === undefined ? undefined : TextDocument.create("file:///target", "statectl", 0, targetText),
      ),
    };
  });

  connection.onDocumentFormatting((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const text = doc.getText();
    const result = formatSource(text, locate(doc.uri).name);
    if (result.formatted === undefined || result.formatted === text) return [];
    return [
      { range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: result.formatted },
    ];
  });

  // Files changed outside the editor (a document's JSON, a var file, a .state file not open) change
  // the diagnostics too: ask the client to tell us, where it can.
  connection.onInitialized(() => {
    if (!watchRegistration) return;
    const watchers = ["**/*.state", "**/*.statevars", "**/*.json", "**/*.yaml", "**/*.yml"].map((globPattern) => ({
      globPattern,
    }));
    connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => undefined);
  });
  connection.onDidChangeWatchedFiles((params) => {
    callers.clear();
    for (const change of params.changes) {
      const dir = locate(change.uri).dir;
      // Only folders someone has opened a file in; a change elsewhere in the workspace is none of ours.
      if (folders.has(dir)) schedule(change.uri);
    }
  });

  connection.onShutdown(() => {
    for (const f of folders.values()) clearTimeout(f.timer);
  });

  documents.listen(connection);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Diagnostics of one file in reading order (then by code and message, so the order never depends on how a run went). */
function byPlace(a: LspDiagnostic, b: LspDiagnostic): number {
  const at = (d: LspDiagnostic) => [
    d.range.start.line,
    d.range.start.character,
    d.range.end.line,
    d.range.end.character,
  ];
  const x = at(a);
  const y = at(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  const key = (d: LspDiagnostic) =>
    `${String(d.code ?? "")}\u0000${typeof d.message === "string" ? d.message : d.message.value}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** Our ranges are 1-based lines and UTF-16 columns; LSP's are 0-based. With the text, offsets decide. */
export function toLspRange(r: Range, lines?: TextDocument): LspRange {
  if (lines) return { start: lines.positionAt(r.start.offset), end: lines.positionAt(r.end.offset) };
  return {
    start: { line: r.start.line - 1, character: r.start.column - 1 },
    end: { line: r.end.line - 1, character: r.end.column - 1 },
  };
}

export function toLspDiagnostic(d: Diagnostic, lines: TextDocument | undefined): LspDiagnostic {
  const message = [d.summary, d.detail, d.hint ? `hint: ${d.hint}` : undefined]
    .filter((s): s is string => !!s)
    .join("\n");
  return {
    range: d.range ? toLspRange(d.range, lines) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "statectl",
    message,
  };
}
