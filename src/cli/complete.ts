import type { Command, Option } from 'commander';
import { ExitCode } from '../errors.ts';
import { completionCandidates } from './completion-data.ts';
import type { CompletionData } from './completion-data.ts';

/** Cobra's ShellCompDirective bits (spf13/cobra completions.go), as kubectl reads them. */
export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4 } as const;

/** What the words before the cursor say: the command, flags given, and what is being completed. */
export interface CompletionContext {
  command: Command;
  /** Flag values already typed, by attribute name (snapshot, namespace, context, ...). */
  flags: Record<string, string>;
  /** Positional arguments already typed for the command. */
  args: string[];
  /** The option whose value is being completed, if any. */
  valueOf: Option | null;
  /** The partial word (after `--flag=` when completing an inline value). */
  toComplete: string;
  /** What to put before each candidate (`--flag=` for an inline value). */
  prefix: string;
}

const visible = (cmd: Command): readonly Option[] => cmd.options.filter((o) => !(o as Option & { hidden?: boolean }).hidden);
const takesValue = (o: Option) => o.required || o.optional;

function findOption(chain: readonly Command[], flag: string): Option | null {
  for (const c of chain) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return null;
}

/** Reads `words` (the plugin's arguments; the last one is the word to complete) like commander would. */
export function completionContext(program: Command, words: readonly string[]): CompletionContext {
  const typed = words.slice(0, -1);
  let toComplete = words.at(-1) ?? '';
  let command = program;
  const flags: Record<string, string> = {};
  const args: string[] = [];
  const chain = () => (command === program ? [program] : [command, program]);
  for (let i = 0; i < typed.length; i++) {
    const w = typed[i] ?? '';
    if (w.startsWith('-') && w !== '-') {
      const [name = '', inline] = w.split(/=(.*)/s, 2);
      const opt = findOption(chain(), name);
      if (opt && takesValue(opt) && inline === undefined) {
        const value = typed[i + 1];
        if (value === undefined) return { command, flags, args, valueOf: opt, toComplete, prefix: '' };
        flags[opt.attributeName()] = value;
        i++;
      } else if (opt && inline !== undefined) flags[opt.attributeName()] = inline;
      continue;
    }
    const sub = command === program ? program.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) command = sub;
    else args.push(w);
  }
  const inline = /^(--?[^=]+)=(.*)$/s.exec(toComplete);
  if (inline) {
    const opt = findOption(chain(), inline[1] ?? '');
    if (opt && takesValue(opt)) return { command, flags, args, valueOf: opt, toComplete: inline[2] ?? '', prefix: `${inline[1]}=` };
  }
  return { command, flags, args, valueOf: null, toComplete, prefix: '' };
}

/** Flags and subcommands of the context: pure, from the command tree. */
function staticCandidates(program: Command, ctx: CompletionContext): { items: string[]; directive: number } | null {
  const { command, toComplete } = ctx;
  if (ctx.valueOf) {
    const choices = (ctx.valueOf as Option & { argChoices?: string[] }).argChoices;
    if (choices) return { items: choices, directive: Directive.NoFileComp };
    return null;
  }
  if (toComplete.startsWith('-')) {
    const opts = command === program ? visible(program) : [...visible(command), ...visible(program)];
    const items: string[] = [];
    for (const o of opts) {
      const name = toComplete.startsWith('--') || !o.short ? o.long : o.short;
      if (name) items.push(`${name}\t${o.description}`);
    }
    if (command !== program || !toComplete.startsWith('--')) items.push('--help\tdisplay help for command');
    if (command === program) items.push('--version\toutput the version number');
    return { items, directive: Directive.NoFileComp };
  }
  if (command === program) {
    const items = program.commands.map((c) => `${c.name()}\t${c.description()}`);
    return { items: [...items, 'help\tdisplay help for command'], directive: Directive.NoFileComp };
  }
  if (command.name() === 'completion') return { items: ['bash', 'zsh', 'fish'], directive: Directive.NoFileComp };
  return null;
}

/**
 * Answers `__complete WORDS...` as Cobra does: one candidate per line (`value<TAB>description`),
 * then `:DIRECTIVE`. Namespaces, services and nodes come from --snapshot's bundle or from the
 * live cluster; a source that cannot be read gives no candidates and the Error directive.
 */
export async function complete(
  program: Command,
  words: readonly string[],
  write: (s: string) => void,
  data: CompletionData = completionCandidates,
): Promise<number> {
  const ctx = completionContext(program, words.length === 0 ? [''] : words);
  let result = staticCandidates(program, ctx);
  if (!result) {
    try {
      result = await data(ctx);
    } catch {
      result = { items: [], directive: Directive.Error };
    }
  }
  const matching = result.items.filter((c) => c.startsWith(ctx.toComplete)).map((c) => `${ctx.prefix}${c}`);
  write(`${matching.map((c) => `${c}\n`).join('')}:${result.directive}\n`);
  return ExitCode.OK;
}
