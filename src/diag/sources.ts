/** Keeps the text of every source file seen, so renderers can show snippets. */
export class SourceRegistry {
  private readonly texts = new Map<string, string>();
  private readonly lineStarts = new Map<string, number[]>();

  add(file: string, text: string): void {
    this.texts.set(file, text);
    this.lineStarts.delete(file);
  }

  get(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** The text of 1-based line `line`, without its line terminator. */
  line(file: string, line: number): string | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return undefined;
    let starts = this.lineStarts.get(file);
    if (!starts) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts.set(file, starts);
    }
    const s = starts[line - 1];
    if (s === undefined) return undefined;
    const next = starts[line];
    const e = next === undefined ? text.length : next - 1;
    return text.slice(s, e).replace(/\r$/, "");
  }
}
