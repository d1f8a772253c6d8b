import type { NodeHealth } from '../analyzers/node-health.ts';
import type { NodeHealthReport } from '../commands/node.ts';
import { makeStyle, shouldUseColor } from './colors.ts';
import { escapeStrings } from './escape.ts';

/** `node` output: text (one block per node, then findings), or the report as JSON / YAML. */
export async function renderNodeHealth(report: NodeHealthReport, format: 'text' | 'json' | 'yaml', colorFlag: boolean): Promise<string> {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    return stringify(report, { aliasDuplicateObjects: false, lineWidth: 0 });
  }
  const color = shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env, flag: colorFlag });
  // Versions, label values and ruleset words come from the node: never raw to the terminal.
  return nodeHealthText(escapeStrings(report), color);
}

const secs = (s: number) => (s < 10 ? `${s.toFixed(2)} s` : `${Math.round(s)} s`);
const pairs = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ');

export function nodeHealthText(report: NodeHealthReport, color: boolean): string {
  const st = makeStyle(color);
  const out: string[] = [];
  for (const n of report.nodes) {
    out.push(st.heading(`${n.node}  ${nodeHealthTitle(n, st.warn)}`));
    if (!n.read) {
      out.push('  not read (no node directory in the bundle, or the node could not be reached)', '');
      continue;
    }
    const rows = nodeHealthRows(n);
    const width = Math.max(...rows.map(([k]) => k.length));
    out.push(...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`));
    out.push('');
  }
  const findings = report.nodes.flatMap((n) => n.findings);
  out.push(st.heading('Findings'));
  if (findings.length === 0) out.push('  none');
  for (const f of findings) out.push(`  ${st.severity(f.severity, f.severity.padEnd(7))}  ${f.id}: ${f.message}`);
  return `${out.join('\n')}\n`;
}

/** What follows a node's name in its heading: mode, kube-proxy version, health. */
export function nodeHealthTitle(n: NodeHealth, warn: (text: string) => string): string {
  const health = n.healthy === null ? '' : n.healthy ? '  healthy' : `  ${warn('unhealthy')}`;
  return `${n.proxyMode ?? 'mode unknown'}  kube-proxy ${n.kubeProxyVersion ?? 'version unknown'}${health}`;
}

/** What is shown under a node's heading, as (label, text) rows: sync, pending, rules, backend, conntrack. */
export function nodeHealthRows(n: NodeHealth): [string, string][] {
  const lines: [string, string][] = [];
  if (n.sync.length === 0) lines.push(['last sync', 'unknown (no kube-proxy-metrics.txt)']);
  for (const s of n.sync) {
    const age = s.ageSeconds === null ? '' : ` (${secs(s.ageSeconds)} before the reading)`;
    const parts = [`${s.family} ${s.lastSync ?? 'never'}${age}`];
    if (s.meanSyncSeconds !== null) parts.push(`sync ${secs(s.meanSyncSeconds)} on average`);
    if (s.meanProgrammingSeconds !== null) parts.push(`network programming ${secs(s.meanProgrammingSeconds)}`);
    if (Object.keys(s.ruleTotals).length) parts.push(`rules written ${pairs(s.ruleTotals)}`);
    if (Object.keys(s.noLocalEndpoints).length) parts.push(`no local endpoints ${pairs(s.noLocalEndpoints)}`);
    lines.push(['last sync', parts.join('; ')]);
  }
  if (n.pendingChanges) lines.push(['pending', `services ${n.pendingChanges.services ?? '?'}, endpoints ${n.pendingChanges.endpoints ?? '?'}`]);
  if (n.rules) {
    const kinds = Object.entries(n.rules.byKind).map(([k, v]) => `${k} ${v.chains}/${v.rules}`).join(', ');
    lines.push(['rules', `${n.rules.rules} in ${n.rules.chains} chains (chains/rules by kind: ${kinds})`]);
    if (n.rules.serviceDispatchRules !== null) lines.push(['KUBE-SERVICES', `${n.rules.serviceDispatchRules} rules tested in order by a new connection`]);
  }
  if (n.iptablesBackend) {
    lines.push(['iptables', `backend ${n.iptablesBackend.inUse ?? 'unknown'}; ${n.iptablesBackend.otherBackendHasRules ? 'rules in the other backend too' : 'no rules reported in the other backend'}`]);
  }
  const c = n.conntrack;
  if (!c) lines.push(['conntrack', 'not read']);
  else {
    const fill = c.fill === null ? '' : ` (${(c.fill * 100).toFixed(2)}%)`;
    const table = c.count === null ? 'count unknown' : `${c.count} of ${c.max} entries${fill}`;
    const stats = c.drop === null && c.earlyDrop === null && c.insertFailed === null ? '' : `; insert_failed ${c.insertFailed ?? '?'}, drop ${c.drop ?? '?'}, early_drop ${c.earlyDrop ?? '?'}`;
    lines.push(['conntrack', `${table}${stats}`]);
  }
  return lines;
}
