import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataplaneStale } from '../../../src/analyzers/findings/dataplane-stale.ts';
import type { Drift, FindingContext } from '../../../src/analyzers/findings/context.ts';
import { mergeFindings } from '../../../src/analyzers/findings/merge.ts';
import type { Finding } from '../../../src/model/finding.ts';
import type { EntryKind, PathReport, ServiceSummary } from '../../../src/model/results.ts';

// shop/web: pod web-2 (10.244.3.4:8080) was removed while kube-proxy on node-b was stopped, so
// node-b's rules still send to it on each of its five paths (ClusterIP from a pod and from the
// node, NodePort, LoadBalancer, ExternalIP). node-c's kube-proxy also missed the new pod web-3
// (10.244.3.5:8080) on its ClusterIP path: a second cause.
const service = { namespace: 'shop', name: 'web' } as ServiceSummary;
const WEB2 = '10.244.3.4:8080';
const WEB3 = '10.244.3.5:8080';

function path(entry: EntryKind, node: string, address: string, port: number, from: string): PathReport {
  const step = { node, table: 'nat', chain: 'KUBE-SEP-OLD', rule: `-A KUBE-SEP-OLD -j DNAT --to-destination ${WEB2}`, line: 40, file: 'iptables-save.txt' };
  return {
    entry, node, address, port, protocol: 'TCP', basis: 'dataplane', from,
    outcomes: [{ verdict: 'DNAT', probability: 1, endpoint: { ip: '10.244.3.4', port: 8080, node: 'node-c', pod: null }, hop: 'remote', sourceIPPreserved: true, steps: [step], conditions: [], dynamic: false }],
  };
}

const drift = (p: PathReport, onlyInDataplane: string[], onlyInModel: string[]): Drift => ({ path: p, expected: [], onlyInDataplane, onlyInModel });

const removedPod: Drift[] = [
  drift(path('ClusterIP', 'node-b', '10.96.0.10', 80, 'a pod on node-b'), [WEB2], []),
  drift(path('ClusterIP', 'node-b', '10.96.0.10', 80, 'node-b itself'), [WEB2], []),
  drift(path('NodePort', 'node-b', '10.240.0.12', 30080, 'an external client'), [WEB2], []),
  drift(path('LoadBalancer', 'node-b', '198.51.100.50', 80, 'an external client'), [WEB2], []),
  drift(path('ExternalIP', 'node-b', '192.0.2.7', 80, 'an external client'), [WEB2], []),
];

const ctx = (drifts: Drift[]) => ({ service, drifts }) as unknown as FindingContext;

describe('one finding per cause', () => {
  it('one removed pod seen on five paths of node-b is one dataplane-stale finding with all five as evidence', () => {
    const findings = dataplaneStale.check(ctx(removedPod));
    assert.equal(findings.length, 1);
    const [f] = findings as [Finding];
    assert.equal(f.id, 'dataplane-stale');
    assert.equal(
      f.message,
      'shop/web on node-b (ClusterIP 10.96.0.10:80, NodePort 10.240.0.12:30080, LoadBalancer 198.51.100.50:80, ExternalIP 192.0.2.7:80): ' +
        `the dataplane differs from the API: rules send traffic to ${WEB2} which the EndpointSlices do not list as usable.`,
    );
    // Evidence: each path once (the two ClusterIP paths differ only by origin, so they are one
    // item: 4) and node-b's one stale DNAT rule once.
    const services = f.evidence.filter((e) => e.kind === 'service').map((e) => (e.kind === 'service' ? e.detail : ''));
    assert.deepEqual(services, [
      'ClusterIP 10.96.0.10:80 on node-b',
      'NodePort 10.240.0.12:30080 on node-b',
      'LoadBalancer 198.51.100.50:80 on node-b',
      'ExternalIP 192.0.2.7:80 on node-b',
    ]);
    assert.equal(f.evidence.filter((e) => e.kind === 'rule').length, 1);
  });

  it('a different cause on another node stays a finding of its own', () => {
    const other = drift(path('ClusterIP', 'node-c', '10.96.0.10', 80, 'a pod on node-c'), [], [WEB3]);
    const findings = dataplaneStale.check(ctx([...removedPod, other]));
    assert.equal(findings.length, 2);
    assert.match(findings[1]!.message, new RegExp(`^shop/web on node-c \\(ClusterIP 10\\.96\\.0\\.10:80\\): .*EndpointSlices list ${WEB3} which the rules do not reach`));
  });

  it('the same drift on two nodes is one finding naming both', () => {
    const onC = drift(path('ClusterIP', 'node-c', '10.96.0.10', 80, 'a pod on node-c'), [WEB2], []);
    const findings = dataplaneStale.check(ctx([...removedPod, onC]));
    assert.equal(findings.length, 1);
    assert.match(findings[0]!.message, /^shop\/web on node-b \(.*\); on node-c \(ClusterIP 10\.96\.0\.10:80\): /);
    assert.match(findings[0]!.remediation, /^Check kube-proxy on node-b, node-c:/);
  });

  it('mergeFindings: findings that say the same thing become one, keeping every evidence item', () => {
    const base = { id: 'health-check-differs', severity: 'warning' as const, message: 'm', remediation: 'r' };
    const a: Finding = { ...base, evidence: [{ kind: 'node', node: 'node-a', detail: 'x' }] };
    const b: Finding = { ...base, evidence: [{ kind: 'node', node: 'node-b', detail: 'x' }, { kind: 'node', node: 'node-a', detail: 'x' }] };
    const c: Finding = { ...base, message: 'another cause', evidence: [] };
    const merged = mergeFindings([a, c, b]);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0]!.evidence, [{ kind: 'node', node: 'node-a', detail: 'x' }, { kind: 'node', node: 'node-b', detail: 'x' }]);
    assert.equal(merged[1]!.message, 'another cause');
  });
});
