/**
 * Run in a fresh process by the benchmark: parses a generated file of N association blocks once
 * and prints the process's peak resident memory before and after, in bytes, as JSON.
 */
import { generateAssociations } from "./generate.js";
import { parseFile } from "../../src/syntax/index.js";

const blocks = Number(process.argv[2] ?? 10000);
const input = generateAssociations(blocks);
const before = process.resourceUsage().maxRSS * 1024;
const result = parseFile(input.text, "bench.state");
const after = process.resourceUsage().maxRSS * 1024;
if (result.diagnostics.length > 0) throw new Error("the generated input did not parse cleanly");
process.stdout.write(JSON.stringify({ bytes: input.bytes, before, after }) + "\n");
