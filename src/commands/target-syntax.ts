import { parseIP } from '../net/ip.ts';
import { usageError } from '../errors.ts';
import type { Protocol } from '../model/packet.ts';
import type { ServiceRef, Source, Target } from '../model/question.ts';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function checkName(what: string, name: string, raw: string): string {
  if (!NAME.test(name)) throw usageError(`${what} ${JSON.stringify(raw)}: "${name}" is not a valid Kubernetes name`);
  return name;
}

/** `[NS/]NAME` as explain-svc and capture take it. */
export function parseServiceRef(raw: string): ServiceRef {
  const parts = raw.split('/');
  if (parts.length === 1) return { namespace: null, name: checkName('service', parts[0] ?? '', raw) };
  if (parts.length === 2) {
    return { namespace: checkName('service', parts[0] ?? '', raw), name: checkName('service', parts[1] ?? '', raw) };
  }
  throw usageError(`service ${JSON.stringify(raw)}: expected NAME or NAMESPACE/NAME`);
}

/** TARGET: `svc/NS/NAME`, `svc/NAME`, `NS/NAME`, `IP:PORT` or `[IPv6]:PORT`. */
export function parseTarget(raw: string): Target {
  const addr = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(raw) ?? /^([0-9.]+):(\d+)$/.exec(raw);
  if (addr) {
    const ip = addr[1] ?? '';
    if (!parseIP(ip)) throw usageError(`target ${JSON.stringify(raw)}: "${ip}" is not an IP address`);
    return { kind: 'address', ip, port: parsePort(addr[2] ?? '', `target ${JSON.stringify(raw)}`) };
  }
  if (/^[0-9.]+$/.test(raw) || parseIP(raw)) {
    throw usageError(`target ${JSON.stringify(raw)}: an address needs a port (IP:PORT, or [IPv6]:PORT)`);
  }
  const ref = raw.startsWith('svc/') ? raw.slice(4) : raw.startsWith('service/') ? raw.slice(8) : raw;
  if (ref === '' || ref.includes(':')) {
    throw usageError(`target ${JSON.stringify(raw)}: expected svc/NS/NAME, NS/NAME or IP:PORT`);
  }
  return { kind: 'service', ...parseServiceRef(ref) };
}

/** SOURCE: `external`, `external:IP`, `pod/NS/NAME`, `pod/NAME`, `node/NAME` or an IP. */
export function parseSource(raw: string): Source {
  if (raw === 'external') return { kind: 'external', ip: null };
  if (raw.startsWith('external:')) {
    const ip = raw.slice('external:'.length);
    if (!parseIP(ip)) throw usageError(`--from ${JSON.stringify(raw)}: "${ip}" is not an IP address`);
    return { kind: 'external', ip };
  }
  if (raw.startsWith('pod/')) {
    const ref = parseServiceRef(raw.slice(4));
    return { kind: 'pod', ...ref };
  }
  if (raw.startsWith('node/')) return { kind: 'node', name: checkName('node', raw.slice(5), raw) };
  if (parseIP(raw)) return { kind: 'ip', ip: raw };
  throw usageError(`--from ${JSON.stringify(raw)}: expected external[:IP], pod/[NS/]NAME, node/NAME or an IP`);
}

export function parsePort(raw: string, what: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw usageError(`${what}: port must be 1-65535, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseProtocol(raw: string): Protocol {
  const p = raw.toUpperCase();
  if (p === 'TCP' || p === 'UDP' || p === 'SCTP') return p;
  throw usageError(`--protocol ${JSON.stringify(raw)}: expected TCP, UDP or SCTP`);
}
