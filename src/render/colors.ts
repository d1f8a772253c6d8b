import { Chalk } from 'chalk';
import type { Severity } from '../model/finding.ts';
import type { Verdict } from '../model/outcome.ts';

export interface ColorInputs {
  /** process.stdout.isTTY (undefined when stdout is a pipe or a file). */
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** commander's `--color`/`--no-color` value: false when the user passed --no-color. */
  flag: boolean;
}

/**
 * The one place that decides whether output is coloured. Precedence, most explicit first:
 * --no-color; FORCE_COLOR (`0`/`false` disables, any other non-empty value enables, even on a
 * pipe); NO_COLOR (any non-empty value disables, https://no-color.org); else colour on a TTY.
 * FORCE_COLOR beats NO_COLOR as in Node's own tty.getColorDepth: NO_COLOR is usually set once
 * in a profile, FORCE_COLOR for one invocation (`| less -R`).
 */
export function shouldUseColor({ isTTY, env, flag }: ColorInputs): boolean {
  if (!flag) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return isTTY === true;
}

type Paint = (text: string) => string;

/** Semantic styles, so renderers say what a piece is, not which colour it gets. */
export interface Style {
  heading: Paint;
  bold: Paint;
  dim: Paint;
  warn: Paint;
  verdict(verdict: Verdict, text?: string): string;
  severity(severity: Severity, text?: string): string;
  /** A health-check HTTP status: 200 good, null (none) plain, anything else bad. */
  status(status: number | null, text: string): string;
}

export function makeStyle(color: boolean): Style {
  // An explicit level: chalk must not second-guess shouldUseColor with its own detection.
  const c = new Chalk({ level: color ? 1 : 0 });
  const verdictPaint: Record<Verdict, Paint> = {
    DNAT: c.green,
    ACCEPT: c.cyan,
    'NO-MATCH': c.yellow,
    DROP: c.red,
    REJECT: c.red,
  };
  const severityPaint: Record<Severity, Paint> = { error: c.red.bold, warning: c.yellow, info: c.blue };
  return {
    heading: c.bold,
    bold: c.bold,
    dim: c.dim,
    warn: c.yellow,
    verdict: (verdict, text = verdict) => verdictPaint[verdict](text),
    severity: (severity, text = severity) => severityPaint[severity](text),
    status: (status, text) => (status === null ? text : status === 200 ? c.green(text) : c.red(text)),
  };
}
