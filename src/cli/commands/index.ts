import type { Command } from "commander";
import { registerValidate } from "./validate.js";
import { registerFmt } from "./fmt.js";
import { registerLocal } from "./local.js";
import { registerState } from "./state.js";
import { registerForceUnlock } from "./force-unlock.js";

/** Every command, in the order `statectl --help` lists them. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerFmt(program);
  registerLocal(program);
  registerState(program);
  registerForceUnlock(program);
}
