/** A point in a source text. `line` and `column` are 1-based; `column` counts UTF-16 code units. */
export interface Position {
  line: number;
  column: number;
  /** 0-based offset into the source text. */
  offset: number;
}

/** A half-open span `[start, end)` in one named source. */
export interface Range {
  file: string;
  start: Position;
  end: Position;
}

export function pos(line: number, column: number, offset: number): Position {
  return { line, column, offset };
}

/** The smallest range covering both `a` and `b` (which must be in the same file). */
export function joinRanges(a: Range, b: Range): Range {
  const start = a.start.offset <= b.start.offset ? a.start : b.start;
  const end = a.end.offset >= b.end.offset ? a.end : b.end;
  return { file: a.file, start, end };
}

/** Computes the position of `offset` in `text`, for producers that only know offsets. */
export function positionAt(text: string, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: clamped - lineStart + 1, offset: clamped };
}

export function rangeFromOffsets(file: string, text: string, start: number, end: number): Range {
  return { file, start: positionAt(text, start), end: positionAt(text, Math.max(start, end)) };
}

export function formatRange(r: Range): string {
  return `${r.file}:${r.start.line}:${r.start.column}`;
}
