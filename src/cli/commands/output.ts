import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect, type VariableOptions } from "../validate-config.js";

interface OutputOptions extends VariableOptions {
  json?: boolean;
  raw?: boolean;
  state?: string;
  showSensitive?: boolean;
}

/**
 * `statectl output [NAME]`: the configuration's outputs, evaluated with the attributes recorded
 * in the state (so computed values such as `association_id` are known after apply). Reads the
 * state (a file or the S3 backend); never talks to SSM. Only the root module's outputs, as in
 * Terraform. Sensitive outputs are shown as (sensitive) unless --show-sensitive.
 */
export function registerOutput(program: Command): void {
  program
    .command("output")
    .description("show the values of the configuration's outputs, as of the last apply")
    .argument("[name]", "show only this output")
    .option("--json", "print the outputs as JSON")
    .option("--raw", "print a single string, number or bool output without quotes (needs NAME)")
    .option("--show-sensitive", "show the values of sensitive outputs instead of (sensitive)")
    .option(
      "--state <path>",
      "a state file (default: the configuration's state: its S3 backend, its state { path }, else statectl.state.json; the selected workspace's)",
    )
    .option("--var <name=value>", "set a variable (repeatable; wins over --var-file)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (name: string | undefined, opts: OutputOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { loadConfig } = await import("../../config/index.js");
      const { evaluateConfig, fromNative, toNative } = await import("../../eval/index.js");
      const { renderDiagnostics, error, didYouMeanHint } = await import("../../diag/index.js");
      const { findInstance } = await import("../../state/index.js");
      const loaded = loadConfig(
        { dir: process.cwd() },
        { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env },
      );
      const fail: (diags: readonly import("../../diag/index.js").Diagnostic[]) => never = (diags) => {
        err(renderDiagnostics(diags, loaded.config.sources, { color: useColor(process.stderr, globals) }));
        throw new CliExit(ExitCode.Error);
      };
      if (loaded.diagnostics.some((d) => d.severity === "error")) fail(loaded.diagnostics);
      // The configuration's state: its S3 backend or local file, for the selected workspace.
      const { commandStateLocation, readStateOnce, stateStorageFor } = await import("../../engine/backend.js");
      const { DEFAULT_STATE_PATH } = await import("../state-options.js");
      const { where, workspace } = await commandStateLocation(process.cwd(), {
        ...(opts.state !== undefined ? { explicitPath: opts.state } : {}),
        defaultPath: DEFAULT_STATE_PATH,
        env: process.env,
      });
      const storage = stateStorageFor(where, opts.state !== undefined ? "default" : workspace);
      const read = await readStateOnce(storage);
      if (read.diagnostics.some((d) => d.severity === "error")) fail(read.diagnostics);
      if (!read.state) {
        fail([
          error("output/no-state", `No state at ${storage.location}`, {
            detail: "Outputs are known after an apply; nothing has been applied with this state yet.",
            hint: "run statectl apply first, or give the state file with --state PATH",
          }),
        ]);
      }
      const state = read.state;
      const evaluated = evaluateConfig(loaded.config, {
        instanceAttributes: (address) => findInstance(state, address)?.attributes,
      });
      // Outputs are read from the state: a required variable with no value only leaves what
      // depends on it unknown (as Terraform's output does), it is not an error here.
      const problems = evaluated.diagnostics.filter((d) => d.code !== "eval/missing-variable");
      if (problems.some((d) => d.severity === "error")) fail(problems);
      // What apply recorded wins (as in Terraform); a state without recorded outputs gets them evaluated.
      const recorded = Object.entries(state.outputs).sort(([a], [b]) => (a < b ? -1 : 1));
      let outputs =
        recorded.length > 0
          ? recorded.map(([n, o]) => ({
              name: n,
              sensitive: o.sensitive,
              value: fromNative(o.value).mark(o.sensitive),
            }))
          : evaluated.outputs;
      if (name !== undefined) {
        const all = outputs;
        outputs = outputs.filter((o) => o.name === name);
        if (outputs.length === 0) {
          const inModule = /^module\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]*\])?(?:\.([A-Za-z_][A-Za-z0-9_-]*))?$/.exec(
            name,
          );
          if (inModule) {
            // As in Terraform, only the root module's outputs are outputs of the configuration.
            const call = loaded.config.modules.get(defined(inModule[1], "the module name the pattern captures"));
            const moduleOutputs = call?.config ? [...call.config.outputs.keys()] : [];
            const output = inModule[3] ?? moduleOutputs[0] ?? "OUTPUT";
            // A module with count or for_each is a list or map of instances: name one, or take all.
            const several = call?.count !== undefined || call?.forEach !== undefined;
            const expression = `module.${inModule[1]}${inModule[2] ?? ""}${inModule[2] !== undefined || !several ? `.${output}` : ""}`;
            const label = `${inModule[1]}${inModule[2] !== undefined || !several ? `_${output}` : ""}`;
            fail([
              error("output/not-found", `No output named "${name}"`, {
                detail: `statectl output shows the root module's outputs only, as terraform output does; ${call ? `module "${inModule[1]}"${moduleOutputs.length > 0 ? ` has the outputs ${moduleOutputs.join(", ")}` : " has no outputs"}` : `there is no module "${inModule[1]}"`}. ${all.length === 0 ? "The configuration has no outputs." : `The outputs are: ${all.map((o) => o.name).join(", ")}.`}`,
                hint: `pass the value up with an output of the root module: output "${label}" { value = ${expression} }; or look at it now: echo '${expression}' | statectl console`,
              }),
            ]);
          }
          const hint = didYouMeanHint(
            name,
            all.map((o) => o.name),
          );
          fail([
            error("output/not-found", `No output named "${name}"`, {
              detail: `${all.length === 0 ? "There are no outputs" : `The outputs are: ${all.map((o) => o.name).join(", ")}`}.`,
              ...(hint ? { hint } : {}),
            }),
          ]);
        }
      }
      const show = (v: import("../../eval/index.js").Value) => (opts.showSensitive ? v.unmarkDeep().value : v);
      // With a NAME, `outputs` holds that output alone (a NAME that names none has failed above).
      const [first] = outputs;
      if (opts.json) {
        const j = Object.fromEntries(
          outputs.map((o) => {
            const v = show(o.value);
            const hidden = v.containsSensitive();
            return [
              o.name,
              {
                sensitive: o.sensitive,
                known: o.value.isWhollyKnown(),
                value: hidden ? null : toNative(v, { unknown: null }),
              },
            ];
          }),
        );
        if (name !== undefined && first) {
          // As `terraform output -json NAME`: the value itself.
          const o = first;
          if (show(o.value).containsSensitive())
            throw new CliExit(
              ExitCode.Error,
              `statectl output: "${name}" is sensitive; add --show-sensitive to print its value`,
            );
          out(JSON.stringify(toNative(show(o.value), { unknown: null }), null, 2));
          return;
        }
        out(JSON.stringify(j, null, 2));
        return;
      }
      if (opts.raw) {
        const v = first && show(first.value);
        if (
          name === undefined ||
          v === undefined ||
          !["string", "number", "bool"].includes(v.type.kind) ||
          !v.isKnown ||
          v.isNull ||
          v.sensitive
        ) {
          throw new CliExit(
            ExitCode.Usage,
            "statectl output --raw: needs the NAME of a known, non-sensitive string, number or bool output",
          );
        }
        process.stdout.write(String(toNative(v)));
        return;
      }
      if (outputs.length === 0) {
        err("No outputs found: the configuration declares no output blocks.");
        return;
      }
      // The same layout as the Outputs apply prints: names aligned, values in plan notation.
      const { formatPlanValue } = await import("../../plan/index.js");
      const shown = (v: import("../../eval/index.js").Value) =>
        formatPlanValue(
          toNative(show(v).unmarkDeep().value, { unknown: null }) as import("../../state/index.js").JsonValue,
          "",
          show(v).containsSensitive(),
        );
      if (name !== undefined && first) out(shown(first.value));
      else {
        const width = Math.max(...outputs.map((o) => o.name.length));
        for (const o of outputs) out(`${o.name.padEnd(width)} = ${shown(o.value)}`);
      }
    });
}
