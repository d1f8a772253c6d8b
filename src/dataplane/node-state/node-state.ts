import { NODE_FILES } from '../../cluster/bundle-layout.ts';
import type { NodeDump } from '../../cluster/source.ts';
import { parseConntrack } from './conntrack.ts';
import type { ConntrackEntry } from './conntrack.ts';
import { parseConntrackCount } from './conntrack-count.ts';
import type { ConntrackCount } from './conntrack-count.ts';
import { parseConntrackStats } from './conntrack-stats.ts';
import type { ConntrackStats } from './conntrack-stats.ts';
import { parseProxyHealthz } from './proxy-healthz.ts';
import type { ProxyHealthz } from './proxy-healthz.ts';
import { parseProxyMetrics } from './proxy-metrics.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

/** What the kernel and kube-proxy say about a node right now; null where the file is absent. */
export interface NodeState {
  conntrack: { entries: ConntrackEntry[]; file: string } | null;
  conntrackStats: ConntrackStats | null;
  conntrackCount: ConntrackCount | null;
  metrics: ProxyMetrics | null;
  healthz: ProxyHealthz | null;
  /** The name of each file read, for evidence (the node directory is the evidence's node). */
  files: Record<string, string>;
}

/** Parses whichever of the node-state files the dump holds; a file that is present must parse. */
export function readNodeState(dump: NodeDump): NodeState {
  const files: Record<string, string> = {};
  const read = <T>(name: string, parse: (text: string, file: string) => T): T | null => {
    const text = dump.files.get(name);
    if (text === undefined) return null;
    // Evidence names the file (its node is the evidence's own); a parse error, where it was read.
    files[name] = name;
    return parse(text, `${dump.location}/${name}`);
  };
  const entries = read(NODE_FILES.conntrack, parseConntrack);
  return {
    conntrack: entries ? { entries, file: files[NODE_FILES.conntrack]! } : null,
    conntrackStats: read(NODE_FILES.conntrackStats, parseConntrackStats),
    conntrackCount: read(NODE_FILES.conntrackCount, parseConntrackCount),
    metrics: read(NODE_FILES.kubeProxyMetrics, parseProxyMetrics),
    healthz: read(NODE_FILES.kubeProxyHealthz, parseProxyHealthz),
    files,
  };
}
