/** A dump that cannot be parsed. Carries the file and 1-based line so users can look. */
export class DumpParseError extends Error {
  readonly file: string;
  readonly line: number | null;
  /** The message without the `file:line: ` prefix, for callers that name the file their own way. */
  readonly detail: string;
  constructor(file: string, line: number | null, message: string) {
    const detail = printable(message);
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'DumpParseError';
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

/**
 * Quoted dump text can hold anything (binary bytes, newlines of a cut JSON string): escape
 * control characters so the error stays on one line and prints nothing to the terminal itself.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
