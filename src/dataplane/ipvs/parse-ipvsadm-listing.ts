import { DumpParseError } from '../errors.ts';
import type { IpvsTable } from './model.ts';
import { parseIpvsadm } from './parse-ipvsadm.ts';

/** Title columns of each listing (ipvsadm.c print_title), after `Prot LocalAddress:Port`. */
const TITLES = {
  stats: { columns: /^Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes$/, command: 'ipvsadm -Ln --stats --exact' },
  connections: { columns: /^Scheduler Flags$/, command: 'ipvsadm -Ln' },
} as const;

/**
 * `ipvsadm -Ln --stats --exact` (ipvsadm-stats.txt): per virtual and real server, the connections
 * scheduled and the packets and bytes since the server was added. --exact prints whole numbers;
 * a listing without it abbreviates past 100 million (`123456K`), which is read to that precision.
 */
export function parseIpvsadmStats(text: string, file: string): IpvsTable {
  return parseListing(text, file, 'stats');
}

/** `ipvsadm -Ln` (ipvsadm-conns.txt): per real server, its IPVS connection entries now, ActiveConn and InActConn. */
export function parseIpvsadmConnections(text: string, file: string): IpvsTable {
  return parseListing(text, file, 'connections');
}

/** The one listing the file must hold: a save (-Sn) or another listing in its place is an error, not an empty table. */
function parseListing(text: string, file: string, kind: keyof typeof TITLES): IpvsTable {
  const { columns, command } = TITLES[kind];
  const lines = text.split(/\r?\n/);
  let titled = false;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const title = /^Prot LocalAddress:Port\s*(.*)$/.exec(line);
    if (title) {
      if (!columns.test(title[1]!.trim())) throw new DumpParseError(file, i + 1, `not the ${command} listing: ${line}`);
      titled = true;
    } else if (!titled && line !== '' && !line.startsWith('#') && !/^IP Virtual Server version/.test(line)) {
      throw new DumpParseError(file, i + 1, `expected the ${command} title line first, got: ${line}`);
    }
  }
  if (!titled) throw new DumpParseError(file, null, `no ${command} title line (Prot LocalAddress:Port ...)`);
  return parseIpvsadm(text, file);
}
