import { DumpParseError } from '../errors.ts';
import { parseIP } from '../../net/ip.ts';
import type { Protocol } from '../../model/packet.ts';
import type { ForwardMethod, IpvsRate, IpvsStats, IpvsTable, RealServer, VirtualService } from './model.ts';

/**
 * Parses `ipvsadm -Sn` (save format: `-A -t VIP:PORT -s rr`, `-a -t ... -r RS:PORT -m -w 1`) or
 * `ipvsadm -Ln` (table format, optionally concatenated with `--stats` / `--rate` listings, whose
 * numbers are merged into the same services). Lines starting with `#` are comments, so a
 * capture may keep the command it came from. Names instead of numbers (ipvsadm without -n)
 * are rejected: the walker compares addresses.
 */
export function parseIpvsadm(text: string, file = 'ipvsadm.txt'): IpvsTable {
  const lines = text.split(/\r?\n/);
  const isSave = lines.some((l) => /^\s*-[Aa]\s/.test(l));
  const table: IpvsTable = { file, format: isSave ? 'save' : 'list', services: [] };
  const ctx = new Ctx(file, table);
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    if (isSave) parseSaveLine(ctx, line, i + 1);
    else parseListLine(ctx, line, i + 1);
  });
  return table;
}

class Ctx {
  readonly byKey = new Map<string, VirtualService>();
  /** Listing mode set by the last title line; `null` before any title. */
  mode: 'default' | 'stats' | 'rate' | null = null;
  current: VirtualService | null = null;
  readonly file: string;
  readonly table: IpvsTable;
  constructor(file: string, table: IpvsTable) {
    this.file = file;
    this.table = table;
  }

  fail(line: number, message: string): never {
    throw new DumpParseError(this.file, line, message);
  }

  service(key: string, init: () => VirtualService): VirtualService {
    let vs = this.byKey.get(key);
    if (!vs) {
      vs = init();
      this.byKey.set(key, vs);
      this.table.services.push(vs);
    }
    return vs;
  }
}

interface AddrPort {
  address: string;
  port: number;
  family: 4 | 6;
}

function parseAddrPort(text: string): AddrPort | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) return null;
  const ip = parseIP(m[1]!);
  const port = Number(m[2]);
  if (!ip || port > 65535) return null;
  return { address: m[1]!, port, family: ip.family };
}

function serviceKey(protocol: Protocol | null, ap: AddrPort | null, fwmark: number | null, family: 4 | 6): string {
  if (fwmark !== null) return `FWM ${fwmark}${family === 6 ? ' IPv6' : ''}`;
  const host = ap!.family === 6 ? `[${ap!.address}]` : ap!.address;
  return `${protocol} ${host}:${ap!.port}`;
}

function newService(
  key: string,
  protocol: Protocol | null,
  ap: AddrPort | null,
  fwmark: number | null,
  family: 4 | 6,
  line: number,
  text: string,
): VirtualService {
  return {
    key,
    protocol,
    address: ap?.address ?? null,
    port: ap?.port ?? null,
    fwmark,
    family,
    scheduler: null,
    flags: [],
    persistence: null,
    realServers: [],
    stats: null,
    rate: null,
    line,
    text,
  };
}

function realServer(vs: VirtualService, ap: AddrPort, line: number, text: string): RealServer {
  let rs = vs.realServers.find((r) => r.address === ap.address && r.port === ap.port);
  if (!rs) {
    rs = {
      address: ap.address,
      port: ap.port,
      forward: null,
      weight: null,
      activeConns: null,
      inactiveConns: null,
      stats: null,
      rate: null,
      line,
      text,
    };
    vs.realServers.push(rs);
  }
  return rs;
}

// ---------------------------------------------------------------- save format (-Sn)

const SAVE_PROTO: Record<string, Protocol> = { '-t': 'TCP', '--tcp-service': 'TCP', '-u': 'UDP', '--udp-service': 'UDP', '--sctp-service': 'SCTP' };
const SAVE_FWD: Record<string, ForwardMethod> = {
  '-m': 'Masq',
  '--masquerading': 'Masq',
  '-g': 'Route',
  '--gatewaying': 'Route',
  '-i': 'Tunnel',
  '--ipip': 'Tunnel',
};
/** Options ipvsadm -S may print that do not change which real server is chosen. */
const SAVE_IGNORED_WITH_VALUE = new Set(['-x', '--u-threshold', '-y', '--l-threshold', '--tun-type', '--tun-port', '--pe']);
const SAVE_IGNORED_FLAG = new Set(['--tun-nocsum', '--tun-csum', '--tun-remcsum']);

function parseSaveLine(ctx: Ctx, line: string, n: number): void {
  const tokens = line.trim().split(/\s+/);
  const cmd = tokens[0];
  if (cmd !== '-A' && cmd !== '-a') ctx.fail(n, `unexpected line in ipvsadm -S output: ${line.trim()}`);
  let protocol: Protocol | null = null;
  let ap: AddrPort | null = null;
  let fwmark: number | null = null;
  let family: 4 | 6 = 4;
  let scheduler: string | null = null;
  let persistence = null as VirtualService['persistence'];
  const flags: string[] = [];
  let rs: AddrPort | null = null;
  let forward: ForwardMethod | null = null;
  let weight: number | null = null;

  const value = (i: number): string => {
    const v = tokens[i + 1];
    if (v === undefined) ctx.fail(n, `option ${tokens[i]} needs a value`);
    return v;
  };
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t in SAVE_PROTO) {
      protocol = SAVE_PROTO[t]!;
      ap = parseAddrPort(value(i));
      if (!ap) ctx.fail(n, `not a numeric address:port: ${tokens[i + 1]} (capture with ipvsadm -Sn)`);
      family = ap.family;
      i++;
    } else if (t === '-f' || t === '--fwmark-service') {
      fwmark = toInt(ctx, n, value(i));
      i++;
    } else if (t === '-6' || t === '--ipv6') {
      family = 6;
    } else if (t === '-s' || t === '--scheduler') {
      scheduler = value(i);
      i++;
    } else if (t === '-p' || t === '--persistent') {
      persistence = { timeout: toInt(ctx, n, value(i)), netmask: persistence?.netmask ?? null };
      i++;
    } else if (t === '-M' || t === '--netmask') {
      // ipvsadm -S prints -M only after -p, for persistent services.
      if (persistence) persistence.netmask = value(i);
      i++;
    } else if (t === '-b' || t === '--sched-flags') {
      flags.push(...value(i).split(','));
      i++;
    } else if (t === '-o' || t === '--ops' || t === 'ops') {
      flags.push('ops');
    } else if (t === 'pe') {
      i++;
    } else if (t === '-r' || t === '--real-server') {
      rs = parseAddrPort(value(i));
      if (!rs) ctx.fail(n, `not a numeric address:port: ${tokens[i + 1]} (capture with ipvsadm -Sn)`);
      i++;
    } else if (t in SAVE_FWD) {
      forward = SAVE_FWD[t]!;
    } else if (t === '-w' || t === '--weight') {
      weight = toInt(ctx, n, value(i));
      i++;
    } else if (SAVE_IGNORED_WITH_VALUE.has(t)) {
      i++;
    } else if (!SAVE_IGNORED_FLAG.has(t)) {
      ctx.fail(n, `unknown ipvsadm option ${t}`);
    }
  }
  if (fwmark === null && !ap) ctx.fail(n, 'no virtual service (-t, -u, --sctp-service or -f)');
  const key = serviceKey(protocol, ap, fwmark, family);
  const text = line.trim();
  if (cmd === '-A') {
    if (ctx.byKey.has(key)) ctx.fail(n, `virtual service ${key} defined twice`);
    const vs = ctx.service(key, () => newService(key, protocol, ap, fwmark, family, n, text));
    vs.scheduler = scheduler ?? 'wlc'; // ipvsadm's default scheduler when -s is omitted
    vs.flags = flags;
    vs.persistence = persistence;
    return;
  }
  const vs = ctx.byKey.get(key);
  if (!vs) ctx.fail(n, `real server for ${key} before its virtual service (-A)`);
  if (!rs) ctx.fail(n, 'real server line without -r');
  const r = realServer(vs, rs, n, text);
  r.forward = forward ?? 'Route'; // ipvsadm's default forwarding method is gatewaying
  r.weight = weight ?? 1;
}

function toInt(ctx: Ctx, n: number, s: string): number {
  if (!/^\d+$/.test(s)) ctx.fail(n, `expected a number, got ${s}`);
  return Number(s);
}

// ---------------------------------------------------------------- table format (-Ln)

const LIST_FWD: Record<string, ForwardMethod> = { Masq: 'Masq', Route: 'Route', Tunnel: 'Tunnel', Local: 'Local' };

function parseListLine(ctx: Ctx, line: string, n: number): void {
  const t = line.trim();
  if (/^IP Virtual Server version/.test(t)) return;
  if (/^Prot LocalAddress:Port/.test(t)) {
    const cols = t.replace(/^Prot LocalAddress:Port/, '').trim();
    if (/^Scheduler Flags$/.test(cols)) ctx.mode = 'default';
    else if (/^Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes$/.test(cols)) ctx.mode = 'stats';
    else if (/^CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS$/.test(cols)) ctx.mode = 'rate';
    else ctx.fail(n, `unsupported ipvsadm listing columns: ${cols} (use ipvsadm -Ln, --stats or --rate)`);
    ctx.current = null;
    return;
  }
  if (/^->\s+RemoteAddress:Port/.test(t)) return;
  if (ctx.mode === null) ctx.fail(n, `unexpected line before the ipvsadm title: ${t}`);
  if (t.startsWith('->')) return parseListRealServer(ctx, t, n);
  parseListService(ctx, t, n);
}

function parseListService(ctx: Ctx, t: string, n: number): void {
  let protocol: Protocol | null = null;
  let ap: AddrPort | null = null;
  let fwmark: number | null = null;
  let family: 4 | 6 = 4;
  let rest: string[];
  const m = /^(TCP|UDP|SCTP)\s+(\S+)\s*(.*)$/.exec(t);
  const f = /^FWM\s+(\d+)(\s+IPv6)?\s*(.*)$/.exec(t);
  if (m) {
    protocol = m[1] as Protocol;
    ap = parseAddrPort(m[2]!);
    if (!ap) ctx.fail(n, `not a numeric address:port: ${m[2]} (capture with ipvsadm -Ln)`);
    family = ap.family;
    rest = m[3]!.split(/\s+/).filter(Boolean);
  } else if (f) {
    fwmark = Number(f[1]);
    family = f[2] ? 6 : 4;
    rest = f[3]!.split(/\s+/).filter(Boolean);
  } else {
    ctx.fail(n, `not an ipvsadm virtual service line: ${t}`);
  }
  const key = serviceKey(protocol, ap, fwmark, family);
  const vs = ctx.service(key, () => newService(key, protocol, ap, fwmark, family, n, t));
  ctx.current = vs;
  if (ctx.mode === 'stats') vs.stats = toStats(ctx, n, rest);
  else if (ctx.mode === 'rate') vs.rate = toRate(ctx, n, rest);
  else parseListServiceOptions(ctx, vs, rest, n, t);
}

function parseListServiceOptions(ctx: Ctx, vs: VirtualService, rest: string[], n: number, t: string): void {
  const [scheduler, ...opts] = rest;
  if (!scheduler || !/^[a-z]+$/.test(scheduler)) ctx.fail(n, `missing scheduler: ${t}`);
  vs.scheduler = scheduler;
  // The default listing is the authoritative one for where a service is defined.
  vs.line = n;
  vs.text = t;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    const next = opts[i + 1];
    if (/^\(.*\)$/.test(o)) vs.flags.push(...o.slice(1, -1).split(','));
    else if (o === 'persistent' && next && /^\d+$/.test(next)) {
      vs.persistence = { timeout: Number(next), netmask: null };
      i++;
    } else if (o === 'mask' && next && vs.persistence) {
      vs.persistence.netmask = next;
      i++;
    } else if (o === 'pe' && next) i++;
    else if (o === 'ops') vs.flags.push('ops');
    else ctx.fail(n, `unknown virtual service option ${o}`);
  }
}

function parseListRealServer(ctx: Ctx, t: string, n: number): void {
  const vs = ctx.current;
  if (!vs) ctx.fail(n, `real server line before any virtual service: ${t}`);
  const cols = t.replace(/^->\s*/, '').split(/\s+/);
  const ap = parseAddrPort(cols[0] ?? '');
  if (!ap) ctx.fail(n, `not a numeric address:port: ${cols[0]} (capture with ipvsadm -Ln)`);
  const rest = cols.slice(1);
  const rs = realServer(vs, ap, n, t);
  if (ctx.mode === 'stats') {
    rs.stats = toStats(ctx, n, rest);
    return;
  }
  if (ctx.mode === 'rate') {
    rs.rate = toRate(ctx, n, rest);
    return;
  }
  const [fwd, weight, active, inactive] = rest;
  if (rest.length !== 4 || !fwd || !(fwd in LIST_FWD)) ctx.fail(n, `expected Forward Weight ActiveConn InActConn: ${t}`);
  rs.forward = LIST_FWD[fwd]!;
  rs.weight = toInt(ctx, n, weight!);
  rs.activeConns = toInt(ctx, n, active!);
  rs.inactiveConns = toInt(ctx, n, inactive!);
  rs.line = n;
  rs.text = t;
}

/** ipvsadm abbreviates large counters (`12345K`, `3M`); keep the order of magnitude. */
function largeNum(ctx: Ctx, n: number, s: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(s);
  if (!m) ctx.fail(n, `expected a counter, got ${s}`);
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * scale;
}

function five(ctx: Ctx, n: number, cols: string[]): number[] {
  if (cols.length !== 5) ctx.fail(n, `expected 5 counters, got ${cols.length}`);
  return cols.map((c) => largeNum(ctx, n, c));
}

function toStats(ctx: Ctx, n: number, cols: string[]): IpvsStats {
  const [conns, inPkts, outPkts, inBytes, outBytes] = five(ctx, n, cols) as [number, number, number, number, number];
  return { conns, inPkts, outPkts, inBytes, outBytes };
}

function toRate(ctx: Ctx, n: number, cols: string[]): IpvsRate {
  const [cps, inPps, outPps, inBps, outBps] = five(ctx, n, cols) as [number, number, number, number, number];
  return { cps, inPps, outPps, inBps, outBps };
}
