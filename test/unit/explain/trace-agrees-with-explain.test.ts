// trace must never say something about a service that explain-svc on the same bundle refutes
// (issue 14: trace entering node-c of examples/real-local-lb said "no node has a ready local
// endpoint" while explain-svc, and the captured health checks, said node-a and node-b answer 200).
//
// "Contradicts", precisely: a trace finding F contradicts explain-svc's result E when
//   1. E has no finding with F's id (E's analysis of the same objects does not conclude it), or
//      every finding of E with that id has another severity; or
//   2. for a finding about health checks (local-policy-unhealthy-nodes), the nodes F says answer
//      503 are not exactly the nodes E's health table predicts 503 for, or F's message differs
//      (it states the count of nodes, which E's table decides); or
//   3. F's message names a node (its claim is about that node) that no finding of E with F's id
//      names (F may name fewer: trace reads only the entry node's rules and leaves out what it
//      cannot know). Evidence is not a claim: it illustrates with the path trace walked.
// Every example bundle, every service, and as sources: every pod, every node, and an external
// client entering each node (at the ClusterIP, each NodePort on the node's address, each
// load-balancer address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Finding } from '../../../src/model/finding.ts';
import type { ServiceExplanation, TraceReport } from '../../../src/model/results.ts';
import { NetpathError } from '../../../src/errors.ts';
import { explainBundle, traceBundle } from './bundle-helpers.ts';

const items = <T>(dir: string, file: string): T[] =>
  existsSync(join(dir, 'cluster', file)) ? (JSON.parse(readFileSync(join(dir, 'cluster', file), 'utf8')) as { items: T[] }).items : [];

interface Question {
  target: string;
  from: string;
  node?: string;
}

function questions(dir: string, svc: V1Service): Question[] {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const nodes = items<V1Node>(dir, 'nodes.json');
  const pods = items<V1Pod>(dir, 'pods.json');
  const qs: Question[] = [];
  const ref = `svc/${ns}/${name}`;
  for (const p of pods) if (p.spec?.nodeName) qs.push({ target: ref, from: `pod/${p.metadata?.namespace}/${p.metadata?.name}` });
  for (const n of nodes) {
    const node = n.metadata?.name ?? '';
    qs.push({ target: ref, from: `node/${node}` });
    qs.push({ target: ref, from: 'external', node });
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    for (const port of svc.spec?.ports ?? []) {
      if (ip && port.nodePort) qs.push({ target: `${ip}:${port.nodePort}`, from: 'external' });
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip) qs.push({ target: `${ing.ip}:${port.port}`, from: 'external', node });
      }
    }
  }
  return qs;
}

/** Nodes a message names, as whole words. */
const nodesNamed = (f: Finding, nodes: readonly string[]): string[] =>
  nodes.filter((n) => new RegExp(`(^|[^\\w-])${n.replace(/[.]/g, '\\.')}([^\\w-]|$)`).test(f.message));

/** Why `f` (from trace) contradicts `explain`, or null when it does not. */
export function contradiction(f: Finding, explain: ServiceExplanation): string | null {
  const same = explain.findings.filter((g) => g.id === f.id);
  if (same.length === 0) return `explain-svc has no ${f.id} finding`;
  const rated = same.filter((g) => g.severity === f.severity);
  if (rated.length === 0) return `${f.id}: trace says ${f.severity}, explain-svc ${same.map((g) => g.severity).join('/')}`;
  if (f.id === 'local-policy-unhealthy-nodes') {
    const predicted503 = explain.nodes.filter((n) => n.healthCheck.status === 503).map((n) => n.name).sort();
    const said503 = f.evidence.filter((e) => e.kind === 'node' && /answers 503/.test(e.detail)).map((e) => (e as { node: string }).node).sort();
    if (JSON.stringify(said503) !== JSON.stringify(predicted503)) return `trace says ${said503.join(',')} answer 503, explain-svc predicts ${predicted503.join(',')}`;
    if (!rated.some((g) => g.message === f.message)) return `${f.id}: "${f.message}" is not explain-svc's "${rated[0]!.message}"`;
    return null;
  }
  const all = explain.nodes.map((n) => n.name);
  const named = new Set(rated.flatMap((g) => nodesNamed(g, all)));
  const extra = nodesNamed(f, all).filter((n) => !named.has(n));
  if (extra.length) return `${f.id} makes a claim about ${extra.join(', ')} that explain-svc's ${f.id} does not`;
  return null;
}

const bundles = readdirSync('examples', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('examples', d.name, 'cluster')))
  .map((d) => join('examples', d.name));

test('the bundles under examples/ are all covered', () => {
  // local-lb, mixed-modes, overall, real-local-lb at the time of writing; a new one joins by itself.
  assert.ok(bundles.length >= 4, bundles.join(' '));
});

for (const dir of bundles) {
  test(`trace never contradicts explain-svc: ${dir}, every service and source`, async () => {
    let traced = 0;
    const problems: string[] = [];
    for (const svc of items<V1Service>(dir, 'services.json')) {
      const ns = svc.metadata?.namespace ?? '';
      const name = svc.metadata?.name ?? '';
      const explain = await explainBundle(dir, ns, name);
      for (const q of questions(dir, svc)) {
        let report: TraceReport;
        try {
          report = await traceBundle(dir, q.target, q.from, { node: q.node ?? null });
        } catch (e) {
          // A question kube-proxy has no answer for (e.g. a ClusterIP of a headless service) is a
          // usage error; anything else fails the test.
          if (e instanceof NetpathError && e.exitCode === 2) continue;
          throw e;
        }
        traced++;
        // A trace of an address that is not this service's (another service shares it) is not compared.
        if (report.service && (report.service.namespace !== ns || report.service.name !== name)) continue;
        for (const f of report.findings) {
          const why = contradiction(f, explain);
          if (why) problems.push(`${ns}/${name}: trace ${q.target} --from ${q.from}${q.node ? ` --node ${q.node}` : ''}: ${why}`);
        }
      }
    }
    assert.ok(traced > 0, 'at least one trace ran');
    assert.deepEqual(problems, []);
  });
}
