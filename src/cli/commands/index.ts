import type { Command } from "commander";
import { registerValidate } from "./validate.js";
import { registerFmt } from "./fmt.js";
import { registerLocal } from "./local.js";
import { registerPlan } from "./plan.js";
import { registerApply } from "./apply.js";
import { registerDestroy } from "./destroy.js";
import { registerGraph } from "./graph.js";
import { registerState } from "./state.js";
import { registerForceUnlock } from "./force-unlock.js";
import { registerWorkspace } from "./workspace.js";
import { registerOutput } from "./output.js";
import { registerStatus } from "./status.js";
import { registerHistory } from "./history.js";
import { registerCompliance } from "./compliance.js";
import { registerReport } from "./report.js";
import { registerRun } from "./run.js";
import { registerImport } from "./import.js";
import { registerSchedule } from "./schedule.js";
import { registerLsp } from "./lsp.js";

/** Every command, in the order `statectl --help` lists them. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerFmt(program);
  registerPlan(program);
  registerApply(program);
  registerDestroy(program);
  registerGraph(program);
  registerOutput(program);
  registerStatus(program);
  registerHistory(program);
  registerCompliance(program);
  registerReport(program);
  registerRun(program);
  registerSchedule(program);
  registerImport(program);
  registerLocal(program);
  registerState(program);
  registerForceUnlock(program);
  registerWorkspace(program);
  registerLsp(program);
}
