import { allNodeNames } from '../analyzers/node-scope.ts';
import type { NodeHealth } from '../analyzers/node-health.ts';
import type { NodeAccessFlags } from '../cluster/live/node-access-options.ts';
import { notFound } from '../errors.ts';
import { renderNodeHealth } from '../render/node-health.ts';
import { nodeHealthOf } from './observations.ts';
import type { GlobalOptions } from './global-options.ts';
import { openSource } from './open-source.ts';

export type NodeFlags = GlobalOptions & NodeAccessFlags & { output: 'text' | 'json' | 'yaml' };

export interface NodeHealthReport {
  apiVersion: 'netpath/v1alpha1';
  kind: 'NodeHealthReport';
  nodes: (NodeHealth & { read: boolean })[];
}

/** Run: node with its parsed flags; prints the report. */
export async function runNode(names: string[], opts: NodeFlags): Promise<void> {
  const report = await nodeReport(names, opts);
  process.stdout.write(await renderNodeHealth(report, opts.output, opts.color));
}

async function nodeReport(names: string[], opts: NodeFlags): Promise<NodeHealthReport> {
  const { source } = await openSource(opts);
  try {
    const state = await source.readState({ kind: 'all-services' });
    const known = allNodeNames(state);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw notFound(`node ${unknown.join(', ')} not found (nodes: ${known.join(', ') || 'none'})`);
    const nodes = names.length > 0 ? names : known;
    const dumps = await source.readNodes({ nodes, healthCheckPorts: [] });
    const live = !opts.snapshot;
    return {
      apiVersion: 'netpath/v1alpha1',
      kind: 'NodeHealthReport',
      nodes: nodes.map((node) => {
        const dump = dumps.get(node);
        return dump ? { ...nodeHealthOf(dump, state, live ? Date.now() : null), read: true } : { ...unread(node), read: false };
      }),
    };
  } finally {
    await source.close();
  }
}

function unread(node: string): NodeHealth {
  return {
    node, proxyMode: null, kubeProxyVersion: null, healthy: null, sync: [], pendingChanges: null,
    iptablesBackend: null, rules: null, conntrack: null, findings: [],
  };
}
