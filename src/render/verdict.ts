import type { Finding } from '../model/finding.ts';
import type { Outcome } from '../model/outcome.ts';
import type { EntryKind, PathReport, ServiceExplanation, TraceReport } from '../model/results.ts';
import { formatLocation, formatShare } from './format.ts';

/**
 * The answer first: what happens to the traffic, then the worst finding. Plain sentences;
 * the caller wraps and colours them.
 */
export function explainVerdict(result: ServiceExplanation): string[] {
  return [`Verdict: ${trafficSentence(result)}`, worstFinding(result.findings)];
}

export function traceVerdict(result: TraceReport): string[] {
  const p = result.packet;
  const outcomes = result.outcomes.filter((o) => o.probability > 0);
  const dnat = outcomes.filter((o) => o.verdict === 'DNAT');
  // Past three endpoints a list stops being an answer: count them (the table lists each).
  const fates = dnat.length > MAX_LISTED
    ? [`DNAT ${formatShare(dnat.reduce((a, o) => a + o.probability, 0))} to ${endpoints(dnat.length)}`, ...outcomes.filter((o) => o.verdict !== 'DNAT').map(outcomeFate)]
    : outcomes.map(outcomeFate);
  const fate = outcomes.length === 0 ? 'no outcome' : fates.join('; ');
  return [`Verdict: on ${p.entryNode}, ${fate}.`, worstFinding(result.findings)];
}

const ENTRY_ORDER: readonly EntryKind[] = ['ClusterIP', 'LoadBalancer', 'NodePort', 'ExternalIP'];
const EXTERNAL: ReadonlySet<EntryKind> = new Set(['LoadBalancer', 'NodePort', 'ExternalIP']);

/** One clause per group of entries with the same fate, e.g. `LoadBalancer/NodePort traffic is dropped on node-c`. */
function trafficSentence(result: ServiceExplanation): string {
  if (result.paths.length === 0) return 'no traffic is forwarded: kube-proxy programs no rules for this service.';
  const clauses = new Map<string, EntryKind[]>();
  for (const entry of ENTRY_ORDER) {
    const paths = result.paths.filter((p) => p.entry === entry);
    if (paths.length === 0) continue;
    const clause = entryFate(entry, paths, result);
    clauses.set(clause, [...(clauses.get(clause) ?? []), entry]);
  }
  return [...clauses].map(([clause, entries]) => `${entries.join('/')} traffic ${clause}`).join('; ') + '.';
}

const failed = (o: Outcome) => o.probability > 0 && (o.verdict === 'DROP' || o.verdict === 'REJECT');
const FAIL_WORDS = { DROP: 'dropped', REJECT: 'rejected (connection refused)' } as const;

function reachedEndpoints(paths: PathReport[]): number {
  const reached = new Set(paths.flatMap((p) => p.outcomes.filter((o) => o.verdict === 'DNAT' && o.probability > 0 && o.endpoint).map((o) => `${o.endpoint!.ip}:${o.endpoint!.port}`)));
  return reached.size;
}

const endpoints = (n: number) => `${n} endpoint${n === 1 ? '' : 's'}`;

function entryFate(entry: EntryKind, paths: PathReport[], result: ServiceExplanation): string {
  const nodes = [...new Set(paths.map((p) => p.node))];
  const failing = paths.filter((p) => p.outcomes.some(failed));
  const failingNodes = [...new Set(failing.map((p) => p.node))];
  const working = paths.filter((p) => !p.outcomes.some(failed));
  const reached = reachedEndpoints(working);
  const passes = paths.some((p) => p.outcomes.some((o) => o.verdict === 'NO-MATCH' && o.probability > 0));
  const reachClause = reached > 0 ? `reaches ${endpoints(reached)}` : passes ? 'passes kube-proxy unchanged (no rule matches)' : 'reaches no endpoint';
  if (failingNodes.length === 0) return reachClause;
  const verdicts = new Set(failing.flatMap((p) => p.outcomes.filter(failed).map((o) => o.verdict as 'DROP' | 'REJECT')));
  const word = [...verdicts].sort().map((v) => FAIL_WORDS[v]).join(' or ');
  // Under Local policy a node without a ready local endpoint drops external traffic by design.
  const noLocal = result.service.externalTrafficPolicy === 'Local' && EXTERNAL.has(entry) &&
    failingNodes.every((n) => result.nodes.find((r) => r.name === n)?.readyLocalEndpoints === 0);
  if (failingNodes.length === nodes.length) {
    const where = nodes.length === 1 ? `on its only node ${nodes[0]}` : `on every node (${nodes.length})`;
    return `is ${word} ${where}${noLocal ? (nodes.length === 1 ? ', which has no local endpoint' : ': none has a local endpoint') : ''}`;
  }
  const why = noLocal ? ' (no local endpoint there)' : '';
  const others = nodes.filter((n) => !failingNodes.includes(n));
  return `is ${word} on ${nodeList(failingNodes)}${why} and ${reachClause} on ${others.length > MAX_LISTED ? 'the other ' : ''}${nodeList(others)}`;
}

const MAX_LISTED = 3;

/** `node-a`, `node-a and node-b`, `node-a, node-b and node-c`; past three, `12 nodes`. */
function nodeList(nodes: string[]): string {
  if (nodes.length > MAX_LISTED) return `${nodes.length} nodes`;
  return nodes.length <= 1 ? (nodes[0] ?? '') : `${nodes.slice(0, -1).join(', ')} and ${nodes.at(-1)}`;
}

/** `DNAT to web-a1 (50.0%)`, `DROP 100.0% by KUBE-EXTERNAL-SERVICES iptables-save.txt:35` (the deciding rule, whole). */
function outcomeFate(o: Outcome): string {
  const share = formatShare(o.probability);
  if (o.verdict === 'DNAT') return `DNAT ${share} to ${o.endpoint?.pod ?? (o.endpoint ? `${o.endpoint.ip}:${o.endpoint.port}` : 'an endpoint')}${o.endpoint?.node ? ` on ${o.endpoint.node}` : ''}`;
  if (o.verdict === 'NO-MATCH') return `NO-MATCH ${share}: no kube-proxy rule applies`;
  const last = o.steps[o.steps.length - 1];
  const by = last === undefined ? '' : ` by ${last.table}/${last.chain} ${formatLocation(last)}: ${last.rule}`;
  return `${o.verdict} ${share}${by}`;
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** The worst error or warning finding by id, and how many more there are; or that there are none. */
export function worstFinding(findings: Finding[]): string {
  const serious = findings.filter((f) => f.severity !== 'info').sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const worst = serious[0];
  if (worst === undefined) return 'No problems found (no error or warning findings).';
  const more = serious.length - 1;
  return `Worst finding: ${worst.severity} ${worst.id}${more > 0 ? ` (+${more} more)` : ''}, see Findings below.`;
}
