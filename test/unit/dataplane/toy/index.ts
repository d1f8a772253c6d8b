/**
 * A dataplane that exists only in the tests: the whole of a new mode is this folder plus one
 * registerDataplane() line. Its dump, toy.txt, has one line per service port:
 *   VIP PORT PROTOCOL ENDPOINT:PORT...
 * and a packet to a listed VIP:PORT/PROTOCOL is DNATed to one endpoint, each equally likely.
 */
import { DumpParseError } from '../../../../src/dataplane/errors.ts';
import type { DataplaneModule, NodeFiles, WalkOutcome, Walker } from '../../../../src/dataplane/types.ts';

export const TOY_FILE = 'toy.txt';

interface ToyService {
  key: string;
  endpoints: { ip: string; port: number }[];
  line: number;
  text: string;
}

export function parseToy(text: string, file: string): ToyService[] {
  const out: ToyService[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [vip, port, protocol, ...eps] = line.split(/\s+/);
    if (!vip || !port || !protocol || !eps.length) throw new DumpParseError(file, i + 1, 'expected VIP PORT PROTOCOL ENDPOINT:PORT...');
    const endpoints = eps.map((e) => {
      const cut = e.lastIndexOf(':');
      return { ip: e.slice(0, cut), port: Number(e.slice(cut + 1)) };
    });
    out.push({ key: `${vip} ${port} ${protocol}`, endpoints, line: i + 1, text: line });
  });
  return out;
}

function toyWalker(services: ToyService[]): Walker {
  const byKey = new Map(services.map((s) => [s.key, s]));
  return {
    mode: 'toy',
    notices: () => [],
    walk(packet): WalkOutcome[] {
      const s = byKey.get(`${packet.dst} ${packet.port} ${packet.protocol}`);
      const base = { masquerade: false, conditions: [], dynamic: false };
      if (!s) return [{ ...base, verdict: 'NO-MATCH', probability: 1, dnat: null, steps: [] }];
      const step = { table: 'toy', chain: 'services', rule: s.text, line: s.line, file: TOY_FILE };
      return s.endpoints.map((dnat) => ({ ...base, verdict: 'DNAT', probability: 1 / s.endpoints.length, dnat, steps: [step] }));
    },
  };
}

export const toyModule: DataplaneModule = {
  mode: 'toy',
  requiredFiles: [TOY_FILE],
  optionalFiles: [],
  dumps: [{ name: TOY_FILE, command: ['cat', '/run/toy/services'], captured: true, parse: parseToy }],
  tools: ['cat'],
  facts: { semantics: 'iptables' },
  detect: (files: NodeFiles) => files.has(TOY_FILE),
  load: (files: NodeFiles) => toyWalker(parseToy(files.get(TOY_FILE) ?? '', TOY_FILE)),
};
