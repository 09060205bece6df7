import type { Command } from "commander";
import { out } from "../io.js";
import {
  addStatePathOption,
  commandStorage,
  failOnErrors,
  globalOptions,
  type StateOptions,
} from "../state-options.js";

export function registerForceUnlock(program: Command): void {
  addStatePathOption(
    program
      .command("force-unlock")
      .argument("<id>", "the lock's ID, as shown by the error that reported the lock")
      .description("release a state lock left behind by a statectl that is no longer running"),
  )
    .addHelpText(
      "after",
      "\nOnly use this when the holder is gone: two statectl runs on one state can lose track of resources.",
    )
    .action(async (id: string, opts: StateOptions, cmd: Command) => {
      const { closeStorage } = await import("../../engine/backend.js");
      const { storage } = await commandStorage(cmd);
      const holder = await storage.lockInfo();
      const diags = await storage.forceUnlock(id);
      closeStorage(storage);
      await failOnErrors(diags, globalOptions(cmd));
      out(
        `Released the lock on ${storage.location}${holder ? ` (held by ${holder.who}, pid ${holder.pid}, for "${holder.operation}" since ${holder.created})` : ""}.`,
      );
    });
}
