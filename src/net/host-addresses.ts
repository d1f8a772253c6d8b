import { DumpParseError } from '../dataplane/errors.ts';
import { parseIP } from './ip.ts';

/**
 * The addresses of one host from `ip -j addr` (iproute2 JSON: an array of links, each with
 * `addr_info: [{ family: "inet" | "inet6", local: "10.0.0.1", ... }]`). These are what the
 * kernel's `addrtype --dst-type LOCAL` / `fib daddr type local` test, whatever the Node object
 * lists (bridges, CNI and VIP addresses included). Throws DumpParseError naming the file.
 */
export function parseIpAddrJson(text: string, file: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : text.length;
    const line = text.slice(0, at).split('\n').length;
    throw new DumpParseError(file, line, `not \`ip -j addr\` output: invalid JSON: ${msg}`);
  }
  if (!Array.isArray(doc)) throw new DumpParseError(file, 1, 'not `ip -j addr` output: expected a JSON array of links');
  const out: string[] = [];
  doc.forEach((link: unknown, i) => {
    if (typeof link !== 'object' || link === null) throw new DumpParseError(file, null, `link ${i}: expected an object`);
    const info = (link as { addr_info?: unknown }).addr_info ?? [];
    if (!Array.isArray(info)) throw new DumpParseError(file, null, `link ${i}: addr_info is not an array`);
    for (const a of info as { family?: unknown; local?: unknown }[]) {
      if (a?.family !== 'inet' && a?.family !== 'inet6') continue;
      if (typeof a.local !== 'string' || parseIP(a.local) === null) {
        throw new DumpParseError(file, null, `link ${i}: address ${JSON.stringify(a.local)} is not an IP address`);
      }
      out.push(a.local);
    }
  });
  return out;
}
