// A minimal LSP client for the tests: spawns the built `statectl lsp --stdio` and talks JSON-RPC
// to it over its stdin/stdout with vscode-languageserver-protocol, the way an editor does.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export class TestClient {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcessWithoutNullStreams;
  /** The latest diagnostics per URI. */
  readonly diagnostics = new Map<string, Diagnostic[]>();
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(
    readonly dir: string,
    env: Record<string, string> = {},
  ) {
    this.child = spawn(process.execPath, [main, "lsp", "--stdio"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    this.child.stderr.on("data", (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    });
    this.connection.listen();
  }

  uri(name: string): string {
    return pathToFileURL(join(this.dir, name)).href;
  }

  async initialize(initializationOptions?: unknown): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the server must serve clients that name their root only here
      rootUri: pathToFileURL(this.dir).href,
      capabilities: {
        textDocument: {
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ["markdown"] },
        },
      },
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(name: string, text: string): Promise<void> {
    this.versions.set(name, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: this.uri(name), languageId: "statectl", version: 1, text },
    });
  }

  async change(name: string, text: string): Promise<void> {
    const version = (this.versions.get(name) ?? 1) + 1;
    this.versions.set(name, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: this.uri(name), version },
      contentChanges: [{ text }],
    });
  }

  async close(name: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, {
      textDocument: { uri: this.uri(name) },
    });
  }

  /** Resolves once the diagnostics published for `name` satisfy `accept` (they arrive after a short debounce). */
  async diagnosticsFor(name: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const uri = this.uri(name);
    for (;;) {
      const current = this.diagnostics.get(uri);
      if (current && accept(current)) return current;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async stop(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** The (0-based) LSP position of the first occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" is not in the text`);
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

/** The position right after the end of `text` (where the cursor is after typing it). */
export function endOf(text: string): { line: number; character: number } {
  const lines = text.split("\n");
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}
