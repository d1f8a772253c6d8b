import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { isReservedLabel, podPseudonym, redactBundle, redactIptablesComments, redactNftComments } from '../../../src/cluster/bundle-redact.ts';
import { writeBundle } from '../../../src/cluster/bundle-writer.ts';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { nodesToRead } from '../../../src/commands/capture.ts';
import { explainBundle } from '../explain/bundle-helpers.ts';

const EXAMPLE = new URL('../../../examples/real-local-lb/', import.meta.url).pathname;
const KEY = Buffer.alloc(32, 7);

test('reserved labels are the kubernetes.io and k8s.io prefixes and their subdomains only', () => {
  for (const k of ['kubernetes.io/service-name', 'service.kubernetes.io/headless', 'topology.kubernetes.io/zone', 'node.kubernetes.io/exclude-from-external-load-balancers', 'endpointslice.kubernetes.io/managed-by', 'x.k8s.io/y']) {
    assert.equal(isReservedLabel(k), true, k);
  }
  for (const k of ['app', 'team', 'example.com/owner', 'kubernetes.io.evil.com/x', 'notkubernetes.io/x']) assert.equal(isReservedLabel(k), false, k);
});

test('iptables comments: foreign ones replaced, kube-proxy\'s kept, everything else byte for byte', () => {
  const save = [
    '*filter',
    '-A INPUT -s 198.51.100.7/32 -m comment --comment "allow Alice\'s laptop" -j ACCEPT',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A cali-INPUT -m comment --comment cali:abc123 -j ACCEPT',
    '-A KUBE-SVC-X -m comment --comment "shop/web:http -> 10.244.1.5:8080" -j KUBE-SEP-Y',
    'COMMIT',
    '',
  ].join('\n');
  assert.equal(
    redactIptablesComments(save),
    [
      '*filter',
      '-A INPUT -s 198.51.100.7/32 -m comment --comment "redacted" -j ACCEPT',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A cali-INPUT -m comment --comment "redacted" -j ACCEPT',
      '-A KUBE-SVC-X -m comment --comment "shop/web:http -> 10.244.1.5:8080" -j KUBE-SEP-Y',
      'COMMIT',
      '',
    ].join('\n'),
  );
});

test('nft comments: replaced outside table kube-proxy, kept inside', () => {
  const doc = {
    nftables: [
      { metainfo: { version: '1.0.9' } },
      { rule: { family: 'inet', table: 'filter', chain: 'input', handle: 3, comment: 'office VPN', expr: [{ accept: null }] } },
      { rule: { family: 'ip', table: 'kube-proxy', chain: 'services', handle: 9, comment: 'shop/web:http', expr: [] } },
    ],
  };
  const out = JSON.parse(redactNftComments(JSON.stringify(doc))) as typeof doc;
  assert.equal(out.nftables[1]!.rule!.comment, 'redacted');
  assert.equal(out.nftables[2]!.rule!.comment, 'shop/web:http');
  assert.deepEqual(out.nftables[0], doc.nftables[0]);
});

/** Every file under dir, by relative path. */
function files(dir: string, rel = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(dir, rel))) {
    const p = join(rel, name);
    if (statSync(join(dir, p)).isDirectory()) for (const [k, v] of files(dir, p)) out.set(k, v);
    else out.set(p, readFileSync(join(dir, p), 'utf8'));
  }
  return out;
}

test('capture --redact on the real example bundle: the same answer, without the private parts', async () => {
  const snap = await SnapshotSource.open(EXAMPLE);
  const state = await snap.readState();
  const dumps = await snap.readNodes(nodesToRead(state, null, true)); // as capture --all-services reads them
  await snap.close();
  // The snapshot reader keeps health-check answers as readings; capture has their bodies as files.
  for (const [node, dump] of dumps) {
    for (const port of dump.healthz.keys()) dump.files.set(`healthz/${port}.json`, readFileSync(join(EXAMPLE, 'nodes', node, 'healthz', `${port}.json`), 'utf8'));
  }
  const cm = JSON.parse(readFileSync(join(EXAMPLE, 'cluster/kube-proxy-config.json'), 'utf8')) as V1ConfigMap;
  const out = mkdtempSync(join(tmpdir(), 'netpath-redact-test-'));
  try {
    const dir = join(out, 'bundle');
    await writeBundle(dir, redactBundle({ state, kubeProxyConfigMap: cm, dumps }, KEY));
    const written = files(dir);
    const cluster = [...written].filter(([p]) => p.startsWith('cluster/')).map(([, t]) => t).join('\n');
    assert.ok(!cluster.includes('"annotations"'), 'no annotations anywhere');
    assert.ok(!cluster.includes('"managedFields"'));
    assert.ok(!cluster.includes('"ownerReferences"'));
    const pods = (JSON.parse(written.get('cluster/pods.json')!) as { items: { metadata: { name: string; namespace: string }; spec: Record<string, unknown>; status: { podIP?: string } }[] }).items;
    const original = state.pods!;
    assert.equal(pods.length, original.length);
    for (const [i, p] of pods.entries()) {
      const o = original[i]!;
      assert.equal(p.metadata.name, podPseudonym(KEY, o.metadata!.namespace!, o.metadata!.name!));
      assert.match(p.metadata.name, /^pod-[0-9a-f]{10}$/);
      assert.equal(p.status.podIP, o.status?.podIP, 'pod IPs stay: they are the answer');
      assert.deepEqual(p.spec.containers, [], 'no images, commands or env');
    }
    const original_names = original.map((p) => p.metadata!.name!);
    for (const name of original_names) assert.ok(!cluster.includes(`"${name}"`), `pod name ${name} is gone`);
    const cmOut = JSON.parse(written.get('cluster/kube-proxy-config.json')!) as { data: Record<string, string> };
    assert.deepEqual(Object.keys(cmOut.data), ['config.conf']);

    // The analysis is unchanged: explain-svc on both bundles, pod names mapped back.
    const explain = async (bundle: string) => {
      const res = await execa(process.execPath, ['bin/kubectl-netpath', 'explain-svc', 'shop/web', '--snapshot', bundle, '-o', 'json'], { reject: false, env: { NO_COLOR: '1' } });
      assert.equal(res.exitCode, 0, String(res.stderr));
      return String(res.stdout);
    };
    let redacted = await explain(dir);
    for (const o of original) redacted = redacted.replaceAll(podPseudonym(KEY, o.metadata!.namespace!, o.metadata!.name!), o.metadata!.name!);
    assert.deepEqual(JSON.parse(redacted), JSON.parse(await explain(EXAMPLE)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('capture --redact leaves out the conntrack table (client addresses of every connection) and keeps the counters', async () => {
  const snap = await SnapshotSource.open('examples/real-kernel');
  const state = await snap.readState();
  const dumps = await snap.readNodes(nodesToRead(state, null, true));
  await snap.close();
  // node-a of the real capture carries the conntrack table: 48 entries, clients included.
  assert.ok(dumps.get('node-a')?.files.has('conntrack.txt'));
  const redacted = redactBundle({ state, kubeProxyConfigMap: null, dumps }, KEY).dumps.get('node-a')!;
  assert.equal(redacted.files.has('conntrack.txt'), false);
  for (const kept of ['conntrack-stats.txt', 'conntrack-count', 'kube-proxy-metrics.txt', 'iptables-save.txt']) assert.ok(redacted.files.has(kept), kept);
});

test('capture --redact keeps what decides the load balancer in front, and drops the rest of the annotations', async () => {
  const dir = new URL('../../fixtures/lb-aws-lbc-ip/', import.meta.url).pathname;
  const snap = await SnapshotSource.open(dir);
  const state = await snap.readState();
  await snap.close();
  const svc = state.services.find((s) => s.metadata?.name === 'web')!;
  const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd';
  svc.metadata!.annotations = { ...svc.metadata!.annotations, 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': ARN, 'example.com/owner': 'alice' };
  const out = mkdtempSync(join(tmpdir(), 'netpath-redact-test-'));
  try {
    const bundle = join(out, 'bundle');
    await writeBundle(bundle, redactBundle({ state, kubeProxyConfigMap: null, dumps: new Map() }, KEY));
    const services = readFileSync(join(bundle, 'cluster/services.json'), 'utf8');
    assert.ok(!services.includes(ARN), 'the certificate ARN names the account');
    assert.ok(!services.includes('alice'), 'other annotations are the owner\'s');
    const kept = (JSON.parse(services) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] }).items.find((s) => s.metadata.name === 'web')!.metadata.annotations;
    // The AWS Load Balancer Controller's type and target type decide "ip targets, kube-proxy not on
    // the path"; the certificate's key stays as a key only (it names the implementation).
    assert.deepEqual(kept, {
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'redacted',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'redacted',
    });
    const [before, after] = [await explainBundle(dir, 'shop', 'web'), await explainBundle(bundle, 'shop', 'web')];
    assert.equal(after.loadBalancer?.implementation, 'aws-load-balancer-controller');
    assert.equal(after.loadBalancer?.targetType, 'ip');
    // 1/3 per ready pod, as before redaction (pod names become pseudonyms; addresses stay).
    const byIP = (r: typeof before) => r.loadBalancer?.shares.map((s) => [s.endpoint.ip, s.share]);
    assert.deepEqual(byIP(after), byIP(before));
    assert.deepEqual(byIP(after)?.map(([, share]) => share), [1 / 3, 1 / 3, 1 / 3]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
