import { DumpParseError } from '../errors.ts';

/** One direction of a conntrack entry: addresses, and ports where the protocol has them. */
export interface ConntrackTuple {
  src: string;
  dst: string;
  sport: number | null;
  dport: number | null;
}

/** One line of `conntrack -L` (plain or `-o extended`). */
export interface ConntrackEntry {
  /** 1-based line in the file, for evidence. */
  line: number;
  family: 'ipv4' | 'ipv6' | null;
  /** Protocol name as conntrack prints it: tcp, udp, sctp, icmp, ... */
  protocol: string;
  /** Seconds until the entry expires unless more packets arrive (conntrack shows no age). */
  timeout: number;
  /** TCP/SCTP state (ESTABLISHED, TIME_WAIT, ...); null for protocols without one. */
  state: string | null;
  /** As the packet arrived: for a Service, dst is the Service address. */
  original: ConntrackTuple;
  /** The reply the kernel expects: src is the address the connection was translated to (the endpoint). */
  reply: ConntrackTuple;
  /** Bracketed flags: UNREPLIED, ASSURED, OFFLOAD, ... */
  flags: string[];
}

const FAMILY = /^(ipv4|ipv6)$/;
const FLAG = /^\[([A-Z_]+)\]$/;
const STATE = /^[A-Z][A-Z_0-9]*$/;
const SUMMARY = /^conntrack v\S+ \(conntrack-tools\): \d+ flow entries have been shown\.$/;

/**
 * Parses `conntrack -L` output (also `-o extended`, which prefixes the family). The summary line
 * conntrack writes to stderr is accepted when both streams were saved together.
 */
export function parseConntrack(text: string, file: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const lineText = raw.trim();
    if (lineText === '' || SUMMARY.test(lineText)) continue;
    entries.push(parseLine(lineText, i + 1, file));
  }
  return entries;
}

function parseLine(text: string, line: number, file: string): ConntrackEntry {
  const fail = (why: string): never => {
    throw new DumpParseError(file, line, `not a conntrack -L entry: ${why}`);
  };
  const words = text.split(/\s+/);
  let i = 0;
  let family: ConntrackEntry['family'] = null;
  if (FAMILY.test(words[0] ?? '')) {
    family = words[0] as 'ipv4' | 'ipv6';
    if (!/^\d+$/.test(words[1] ?? '')) fail(`expected the family number after ${family}`);
    i = 2;
  }
  const protocol = words[i];
  if (!protocol || !/^[a-z][a-z0-9-]*$/.test(protocol)) fail('expected a protocol name');
  if (!/^\d+$/.test(words[i + 1] ?? '')) fail(`expected the protocol number after ${protocol}`);
  const timeoutWord = words[i + 2] ?? '';
  if (!/^\d+$/.test(timeoutWord)) fail('expected the timeout in seconds');
  i += 3;
  let state: string | null = null;
  if (STATE.test(words[i] ?? '')) state = words[i++]!;

  const tuples: Record<string, string>[] = [];
  const flags: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    const flag = FLAG.exec(w);
    if (flag) {
      flags.push(flag[1]!);
      continue;
    }
    const eq = w.indexOf('=');
    if (eq <= 0) fail(`unexpected word ${JSON.stringify(w)}`);
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    // Each `src=` opens a tuple: the first is the original direction, the second the reply.
    if (key === 'src') tuples.push({});
    const current = tuples.at(-1);
    if (current && tuples.length <= 2 && !(key in current)) current[key] = value;
  }
  if (tuples.length < 2) fail('expected an original and a reply tuple (two src=...)');
  return {
    line,
    family,
    protocol: protocol!,
    timeout: Number(timeoutWord),
    state,
    original: tuple(tuples[0]!, fail),
    reply: tuple(tuples[1]!, fail),
    flags,
  };
}

function tuple(fields: Record<string, string>, fail: (why: string) => never): ConntrackTuple {
  if (!fields.dst) fail('a tuple without dst=');
  const port = (v: string | undefined) => {
    if (v === undefined) return null;
    if (!/^\d+$/.test(v)) fail(`bad port ${JSON.stringify(v)}`);
    return Number(v);
  };
  return { src: fields.src!, dst: fields.dst!, sport: port(fields.sport), dport: port(fields.dport) };
}
