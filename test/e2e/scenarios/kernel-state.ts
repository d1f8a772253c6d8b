import assert from 'node:assert/strict';
import type { Cluster } from '../../harness/cluster.ts';
import { inNetnsOk } from '../../harness/netns.ts';
import { removePod } from '../../harness/pods.ts';
import { stopKubeProxy } from '../../harness/proxy.ts';
import { waitForEndpoints } from '../../harness/services.ts';
import { lastProxySyncs } from '../../harness/sync.ts';
import { probe } from '../../harness/traffic.ts';
import { LiveSource } from '../../../src/cluster/live/live-source.ts';
import { nodeAccessOf } from '../../../src/cluster/live/node-access-options.ts';
import { nodeHealth } from '../../../src/analyzers/node-health.ts';
import { explainFrom } from '../../../src/pipeline/explain-svc.ts';
import { parseIptablesDump } from '../../../src/dataplane/iptables/parse.ts';
import { parseConntrack } from '../../../src/dataplane/node-state/conntrack.ts';
import { readNodeState } from '../../../src/dataplane/node-state/node-state.ts';
import type { ServiceExplanation } from '../../../src/model/results.ts';
import type { ObservedEndpoint } from '../../../src/analyzers/observed-shares.ts';
import { inScenario } from '../support/scenario.ts';

const ISOLATED = { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' };

/**
 * What the kernel is doing now (issue 10), read live through --local-netns as the node pod would:
 * after N new connections from a pod on node-a, the KUBE-SEP counters netpath reports per endpoint
 * equal the connections each pod answered (iptables mode), and the conntrack entries grouped by
 * translated endpoint equal them too (both modes); `node`'s rule count equals
 * `iptables-save | grep -c '^-A'` and its last sync is kube-proxy's own. Then kube-proxy on node-a
 * is stopped and an endpoint removed: node-a's UDP entries to it are reported stale, and the printed
 * command, run here by the test (netpath never runs it), deletes exactly those entries.
 * Run it last: kube-proxy on node-a does not come back.
 */
export async function kernelState(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-kernel', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-c', selector);
    const web2 = await s.pod('web-2', 'node-c', selector);
    const client = await s.pod('client', 'node-a');
    const svc = await s.service('web', {
      selector,
      ports: [{ name: 'tcp', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'udp', port: 81, targetPort: 8080, protocol: 'UDP' }],
    });
    const cip = svc.spec?.clusterIP ?? '';
    const live = ['node-a', 'node-c'];
    await s.settle({ web: (e) => e.ready === 3 }, live);
    const ns = s.namespace;
    const a = s.node('node-a');
    const localNetns = [c.layout.nodes.map((n) => `${n.name}=${n.netns}`).join(',')];
    const open = () => LiveSource.open({ kubeconfig: c.layout.kubeconfig }, nodeAccessOf({ localNetns }), ISOLATED);
    const explain = async (): Promise<ServiceExplanation> => {
      const source = open();
      try {
        return await explainFrom(source, ns, 'web', false);
      } finally {
        await source.close();
      }
    };

    const readA = async () => {
      const source = open();
      try {
        const dump = (await source.readNodes({ nodes: ['node-a'], healthCheckPorts: [] })).get('node-a');
        assert.ok(dump, 'node-a read');
        return dump;
      } finally {
        await source.close();
      }
    };
    const byPod = new Map(s.pods.map((p) => [p.ip, `${ns}/${p.name}`]));
    /** Conntrack entries to the ClusterIP port on node-a, by the pod they were translated to. */
    const conntrackByPod = (entries: readonly { protocol: string; original: { dst: string; dport: number | null }; reply: { src: string } }[], proto: string, port: number) => {
      const counts: Record<string, number> = {};
      for (const e of entries) {
        if (e.protocol !== proto || e.original.dst !== cip || e.original.dport !== port) continue;
        const key = byPod.get(e.reply.src) ?? e.reply.src;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    };
    // A first connection to a fresh pod can be lost to neighbour resolution; warm up, then measure
    // what the next N connections add to each counter and to each endpoint's conntrack entries.
    await probe(c, { from: client.netns, address: cip, port: 80, count: 20 });
    const baseEx = await explain();
    const baseDump = await readA();
    const baseState = readNodeState(baseDump);
    const tcp = await probe(c, { from: client.netns, address: cip, port: 80, count: 60 });
    const udp = await probe(c, { from: client.netns, address: cip, port: 81, protocol: 'udp', count: 30 });
    assert.equal(tcp.answered, 60, `every TCP connection answered: ${JSON.stringify(tcp.errors)}`);
    assert.equal(udp.answered, 30, `every UDP datagram answered: ${JSON.stringify(udp.errors)}`);
    const ex = await explain();
    const answered = (t: typeof tcp, pod: string | null) => t.pods[`${ns}/${pod}`] ?? 0;
    for (const [port, tally] of [[80, tcp], [81, udp]] as const) {
      const seen = ex.observed?.ports.find((p) => p.node === 'node-a' && p.port === port);
      const base = baseEx.observed?.ports.find((p) => p.node === 'node-a' && p.port === port);
      if (c.layout.proxyMode === 'iptables') {
        // Before any datagram the UDP port has nothing observed: its baseline is zero.
        assert.ok(seen, `observed shares for node-a port ${port}`);
        for (const e of seen.endpoints) {
          const b: ObservedEndpoint | undefined = base?.endpoints.find((x) => x.ip === e.ip);
          const counter = e.ruleCounter! - (b?.ruleCounter ?? 0);
          const flows = e.conntrack.entries - (b?.conntrack.entries ?? 0);
          if (port === 80) {
            assert.equal(counter, answered(tally, e.pod), `${port}: KUBE-SEP counter of ${e.pod} grew by the connections it answered`);
            assert.equal(flows, answered(tally, e.pod), `${port}: conntrack entries to ${e.pod} grew by the connections it answered`);
          } else {
            // UDP: a datagram whose fresh socket drew a source port of a flow still alive (30 s)
            // joins that flow: no new connection, no counter. Counters and flows still agree.
            assert.equal(counter, flows, `${port}: KUBE-SEP counter of ${e.pod} grew by its new conntrack flows`);
            assert.ok(flows <= answered(tally, e.pod), `${port}: ${flows} new flows to ${e.pod} <= ${answered(tally, e.pod)} datagrams it answered`);
          }
        }
      }
    }
    const dump = await readA();
    const state = readNodeState(dump);
    // Both modes: conntrack entries to the ClusterIP, grouped by translated endpoint, grew by the pods' own tallies.
    for (const [proto, port, tally] of [['tcp', 80, tcp], ['udp', 81, udp]] as const) {
      const before = conntrackByPod(baseState.conntrack?.entries ?? [], proto, port);
      const now = conntrackByPod(state.conntrack?.entries ?? [], proto, port);
      const grew = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
      if (proto === 'tcp') assert.deepEqual(grew, tally.pods, `${proto}/${port}: conntrack per endpoint grew by the pods' own tallies`);
      else for (const [pod, n] of Object.entries(grew) as [string, number][]) assert.ok(n <= (tally.pods[pod] ?? 0), `udp: ${n} new flows to ${pod} <= its tally`);
    }
    if (c.layout.proxyMode === 'iptables') {
      // The rule count against a plain iptables-save read right after: both between two equal
      // kube-proxy sync times, or the rules may have changed in between (an earlier scenario's
      // namespace is still being removed); then read both again.
      for (let attempt = 1; ; attempt++) {
        // Only node-a: the stale scenario before this one stopped kube-proxy on node-b for good.
        const syncedBefore = (await lastProxySyncs(c, ['node-a']))['node-a']!;
        const fresh = await readA();
        const plain = await inNetnsOk(a.netns, ['iptables-save']);
        const synced = (await lastProxySyncs(c, ['node-a']))['node-a']!;
        if (synced !== syncedBefore && attempt < 5) continue;
        assert.equal(synced, syncedBefore, 'kube-proxy on node-a stopped syncing between the two readings');
        const health = nodeHealth({
          node: 'node-a', mode: 'iptables', state: readNodeState(fresh), iptables: parseIptablesDump(fresh.files.get('iptables-save.txt') ?? '', 'iptables-save.txt'), nft: null,
          syncPeriod: { seconds: 30, source: 'default' }, now: Date.now(),
        });
        assert.equal(health.rules?.rules, plain.split('\n').filter((l) => l.startsWith('-A')).length, "rules = iptables-save | grep -c '^-A'");
        const v4 = health.sync.find((f) => f.family === 'IPv4');
        assert.ok(v4?.lastSync, 'last sync read');
        // The sync netpath read is kube-proxy's latest or one before the harness's later reading.
        assert.ok(Date.parse(v4.lastSync) <= synced * 1000 + 1, `${v4.lastSync} <= ${synced}`);
        break;
      }
    }

    // Stale: kube-proxy on node-a stops, web-2 leaves; node-a keeps UDP entries towards it.
    await stopKubeProxy(c, 'node-a');
    const udp2 = await probe(c, { from: client.netns, address: cip, port: 81, protocol: 'udp', count: 30 });
    const toWeb2 = answered(udp2, 'web-2');
    assert.ok(toWeb2 > 0, 'some datagrams reached web-2');
    await removePod(c, web2);
    s.pods.splice(s.pods.indexOf(web2), 1);
    // Until web-2 has left the slice it may still be listed as serving while terminating: an endpoint.
    await waitForEndpoints(c, ns, 'web', (e) => e.ready === 2 && e.total === 2);
    const after = await explain();
    const stale = after.observed?.stale.find((x) => x.node === 'node-a' && x.endpoint === `${web2.ip}:8080`);
    if (!stale) {
      const raw = (await inNetnsOk(a.netns, ['conntrack', '-L', '-p', 'udp'])).split('\n').filter((l) => l.includes(web2.ip));
      const slicesNow = JSON.stringify((await c.discovery.listNamespacedEndpointSlice({ namespace: ns })).items.map((x) => x.endpoints));
      assert.fail(`no stale entries to ${web2.ip} reported (observed ${JSON.stringify(after.observed?.stale)}, nodes ${after.nodes.map((n) => n.name)}); conntrack: ${raw.slice(0, 3).join(' | ')}; slices ${slicesNow}`);
    }
    assert.equal(stale.protocol, 'UDP');
    assert.ok(stale.entries >= toWeb2, `${stale.entries} stale entries >= ${toWeb2} sent after kube-proxy stopped`);
    assert.equal(stale.command, `conntrack -D -p udp --orig-dst ${cip} --orig-port-dst 81 --reply-src ${web2.ip} --reply-port-src 8080`);
    assert.ok(after.findings.some((f) => f.id === 'stale-conntrack' && f.message.includes(stale.command)));
    // The command clears exactly those entries: none to web-2 left, the others untouched.
    const before = parseConntrack(await inNetnsOk(a.netns, ['conntrack', '-L']), 'before');
    const [cmd, ...args] = stale.command.split(' ');
    await inNetnsOk(a.netns, [cmd!, ...args]).catch(() => ''); // conntrack exits 1 when it deletes nothing
    const left = parseConntrack(await inNetnsOk(a.netns, ['conntrack', '-L']), 'after');
    const isStale = (e: { protocol: string; original: { dst: string; dport: number | null }; reply: { src: string } }) =>
      e.protocol === 'udp' && e.original.dst === cip && e.original.dport === 81 && e.reply.src === web2.ip;
    assert.equal(left.filter(isStale).length, 0, 'no stale entry left');
    const kept = (list: typeof before) => list.filter((e) => e.original.dst === cip && !isStale(e)).length;
    assert.equal(kept(left), kept(before), 'other entries of the service untouched');
  });
}
