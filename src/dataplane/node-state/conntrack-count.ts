import { DumpParseError } from '../errors.ts';

/** The table's fill: /proc/sys/net/netfilter/nf_conntrack_count and nf_conntrack_max. */
export interface ConntrackCount {
  count: number;
  max: number;
}

/** Two lines, count then max, as `cat nf_conntrack_count nf_conntrack_max` prints them. */
export function parseConntrackCount(text: string, file: string): ConntrackCount {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== 2) {
    throw new DumpParseError(file, null, `expected 2 lines (nf_conntrack_count, then nf_conntrack_max), found ${lines.length}`);
  }
  const [count, max] = lines.map((l, i) => {
    if (!/^\d+$/.test(l.trim())) throw new DumpParseError(file, i + 1, `expected a whole number, found ${JSON.stringify(l)}`);
    return Number(l.trim());
  }) as [number, number];
  return { count, max };
}
