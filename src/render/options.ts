export type TextFormat = 'text' | 'wide';

export interface RenderOptions {
  /** `text`: the essentials, fitted to `width`; `wide` (-o wide): everything, nothing cut. */
  format: TextFormat;
  /** Decide with shouldUseColor(); renderers never look at the terminal themselves. */
  color: boolean;
  /** Columns to fit in `text` format (see terminalWidth); default 100. `wide` ignores it. */
  width?: number;
}

export const DEFAULT_WIDTH = 100;
const MIN_WIDTH = 40;
const MAX_WIDTH = 200;

export interface WidthInputs {
  /** process.stdout.isTTY and .columns (columns is 0 in some CI wrappers and under `script`). */
  isTTY: boolean | undefined;
  columns: number | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Columns to render for: the terminal's width on a TTY, else $COLUMNS, else 100; kept within
 * 40..200 (past 200 columns long lines are harder to read, below 40 tables cannot fit).
 */
export function terminalWidth({ isTTY, columns, env }: WidthInputs): number {
  const fromEnv = Number.parseInt(env['COLUMNS'] ?? '', 10);
  const given = isTTY === true && columns !== undefined && columns > 0 ? columns : fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  return Math.min(Math.max(given, MIN_WIDTH), MAX_WIDTH);
}
