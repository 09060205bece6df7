// `statectl workspace list|show|new|select|delete`: several states for one configuration (e.g.
// staging and prod), each in its own file or S3 key; `statectl.workspace` names the selected one.
import type { Command } from "commander";
import { out } from "../io.js";
import { addLockOptions, commandStorage, failOnErrors, globalOptions, type StateOptions } from "../state-options.js";

export function registerWorkspace(program: Command): void {
  const ws = program
    .command("workspace")
    .description("manage workspaces: separate states of one configuration (list, show, new, select, delete)")
    .addHelpText(
      "after",
      `\nThe selected workspace is kept in .statectl/workspace; STATECTL_WORKSPACE overrides it for one command. docs/backends.md explains where each workspace's state lives.`,
    );

  ws.command("list")
    .description("list the workspaces; the selected one is marked with *")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { listWorkspaces } = await import("../../engine/backend.js");
      const { where, workspace } = await commandStorage(cmd);
      const r = await listWorkspaces(where);
      await failOnErrors(r.diagnostics, globalOptions(cmd));
      const names = r.names.includes(workspace) ? r.names : [...r.names, workspace];
      if (opts.json) out(JSON.stringify({ selected: workspace, workspaces: names }, null, 2));
      else out(names.map((n) => `${n === workspace ? "*" : " "} ${n}`).join("\n"));
    });

  ws.command("show")
    .description("print the selected workspace's name")
    .action(async (_opts: unknown, cmd: Command) => {
      const { workspace } = await commandStorage(cmd);
      out(workspace);
    });

  ws.command("new")
    .argument("<name>", "the new workspace")
    .description("create a workspace with an empty state and select it")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { createWorkspace, recordSelectedWorkspace, stateStorageFor } = await import("../../engine/backend.js");
      const { emptyState, statectlVersion } = await import("../../state/index.js");
      const { where } = await commandStorage(cmd);
      await failOnErrors(
        await createWorkspace(where, name, emptyState({ statectlVersion: statectlVersion() })),
        globalOptions(cmd),
      );
      await recordSelectedWorkspace(process.cwd(), name);
      out(`Created and switched to workspace "${name}" (state: ${stateStorageFor(where, name).location}).`);
    });

  ws.command("select")
    .argument("<name>", "an existing workspace")
    .description("switch to a workspace")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { listWorkspaces, recordSelectedWorkspace, invalidWorkspaceName } = await import("../../engine/backend.js");
      const { error } = await import("../../diag/index.js");
      const g = globalOptions(cmd);
      const bad = invalidWorkspaceName(name);
      if (bad) await failOnErrors([bad], g);
      const { where } = await commandStorage(cmd);
      const r = await listWorkspaces(where);
      await failOnErrors(r.diagnostics, g);
      if (!r.names.includes(name))
        await failOnErrors(
          [
            error("workspace/not-found", "No such workspace", {
              detail: `There is no workspace "${name}".`,
              hint: `create it with: statectl workspace new ${name} (the workspaces are: ${r.names.join(", ")})`,
            }),
          ],
          g,
        );
      await recordSelectedWorkspace(process.cwd(), name);
      out(`Switched to workspace "${name}".`);
    });

  addLockOptions(
    ws
      .command("delete")
      .argument("<name>", "the workspace to delete")
      .description("delete a workspace and its state; refuses one that still manages resources")
      .option("--force", "delete even if its state still manages resources (they stay in SSM, unmanaged)"),
  ).action(async (name: string, opts: StateOptions & { force?: boolean }, cmd: Command) => {
    const { deleteWorkspace } = await import("../../engine/backend.js");
    const { where, workspace } = await commandStorage(cmd);
    await failOnErrors(
      await deleteWorkspace(where, name, workspace, {
        ...(opts.force ? { force: true } : {}),
        lockTimeoutMs: opts.lockTimeout ?? where.backend?.lockTimeoutMs ?? 0,
      }),
      globalOptions(cmd),
    );
    out(`Deleted workspace "${name}".`);
  });
}
