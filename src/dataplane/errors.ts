/** A dump that cannot be parsed. Carries the file and 1-based line so users can look. */
export class DumpParseError extends Error {
  readonly file: string;
  readonly line: number | null;
  constructor(file: string, line: number | null, message: string) {
    super(`${file}${line === null ? '' : `:${line}`}: ${message}`);
    this.name = 'DumpParseError';
    this.file = file;
    this.line = line;
  }
}
