import { DumpParseError } from '../errors.ts';

/** `conntrack -S`: the kernel's per-CPU counters, summed over CPUs. */
export interface ConntrackStats {
  cpus: number;
  /** Every counter the kernel printed (found, invalid, insert_failed, drop, early_drop, ...), summed. */
  totals: Record<string, number>;
}

/** Parses `conntrack -S` (one `cpu=N key=value ...` line per CPU). */
export function parseConntrackStats(text: string, file: string): ConntrackStats {
  const totals: Record<string, number> = {};
  let cpus = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    if (!/^cpu=\d+$/.test(words[0] ?? '')) throw new DumpParseError(file, i + 1, 'not a conntrack -S line: expected cpu=N first');
    cpus++;
    for (const w of words.slice(1)) {
      const m = /^([a-z_]+)=(\d+)$/.exec(w);
      if (!m) throw new DumpParseError(file, i + 1, `not a conntrack -S counter: ${JSON.stringify(w)}`);
      totals[m[1]!] = (totals[m[1]!] ?? 0) + Number(m[2]);
    }
  }
  if (cpus === 0) throw new DumpParseError(file, null, 'empty: expected conntrack -S output (a cpu=N line per CPU)');
  return { cpus, totals };
}
