/**
 * "Did you mean" for a mistyped command: every command the word is a prefix of (`stat` →
 * status, state), else those within a small edit distance, closest first.
 */
import { editDistance } from "../diag/index.js";

export function suggestCommands(word: string, names: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  if (w.length === 0) return [];
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored = names
    .map((name) => ({ name, prefix: name.toLowerCase().startsWith(w), distance: editDistance(w, name.toLowerCase()) }))
    .filter((s) => s.name !== word && (s.prefix ? w.length >= 2 : s.distance <= limit))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, max);
}
