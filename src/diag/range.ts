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

/**
 * A Range in one object: its two positions' numbers are fields, and `start`/`end` are made when
 * read. The parser gives every AST node one or more ranges, and they are kept as long as the
 * configuration is: at 50,000 associations, three objects per range (a range and two positions)
 * were over half of the objects a plan kept. Serializes (JSON) as a plain Range.
 */
export class SourceRange implements Range {
  constructor(
    readonly file: string,
    readonly startLine: number,
    readonly startColumn: number,
    readonly startOffset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

  get start(): Position {
    return { line: this.startLine, column: this.startColumn, offset: this.startOffset };
  }

  get end(): Position {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }

  toJSON(): { file: string; start: Position; end: Position } {
    return { file: this.file, start: this.start, end: this.end };
  }

  /** From `start` to `end` (the same position for an empty range). */
  static of(file: string, start: Position, end: Position): SourceRange {
    return new SourceRange(file, start.line, start.column, start.offset, end.line, end.column, end.offset);
  }
}

/** From `a`'s start to `b`'s end, in one object (see SourceRange). */
export function spanRanges(a: Range, b: Range): SourceRange {
  if (a instanceof SourceRange && b instanceof SourceRange)
    return new SourceRange(a.file, a.startLine, a.startColumn, a.startOffset, b.endLine, b.endColumn, b.endOffset);
  return SourceRange.of(a.file, a.start, b.end);
}

/** From `a`'s end to `b`'s start (what lies between two tokens), in one object. */
export function rangeBetween(a: Range, b: Range): SourceRange {
  if (a instanceof SourceRange && b instanceof SourceRange)
    return new SourceRange(a.file, a.endLine, a.endColumn, a.endOffset, b.startLine, b.startColumn, b.startOffset);
  return SourceRange.of(a.file, a.end, b.start);
}
