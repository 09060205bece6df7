/**
 * The one table of API areas. Each area lives in its own file and brings its operations and its
 * set-up; add an area by importing it and listing it here (order = set-up order).
 */
import type { Area, Handler } from "./core.js";
import { documentsArea } from "./documents.js";
import { tagsArea } from "./tags.js";
import { associationsArea } from "./associations-area.js";
import { automationArea } from "./automation.js";
import { complianceArea } from "./compliance.js";
import { runCommandArea } from "./run-command.js";
import { calendarArea } from "./calendar.js";
import { effectiveAssociationsArea } from "./effective-associations.js";

export const areas: readonly Area[] = [
  documentsArea,
  tagsArea,
  associationsArea,
  automationArea,
  complianceArea,
  runCommandArea,
  calendarArea,
  effectiveAssociationsArea,
];

/** Operation name → handler, across every area; a name claimed twice is a bug caught at start. */
export function operationTable(list: readonly Area[] = areas): Map<string, Handler> {
  const table = new Map<string, Handler>();
  for (const area of list) {
    for (const [name, handler] of Object.entries(area.operations)) {
      if (table.has(name)) throw new Error(`local endpoint: operation ${name} is registered twice (area ${area.name})`);
      table.set(name, handler);
    }
  }
  return table;
}
