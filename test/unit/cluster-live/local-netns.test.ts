import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { execa } from 'execa';
import { LocalNodeReader, localRunner } from '../../../src/cluster/nodes/local.ts';
import { parseLocalNetns } from '../../../src/cluster/nodes/local-netns.ts';
import { PROBE_SCRIPT, toolboxFromProbe } from '../../../src/cluster/nodes/debug-pod.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';
import { parseIpAddrJson } from '../../../src/net/host-addresses.ts';

// Real reads in network namespaces this test creates (root only): kube-proxy's metrics and
// health-check servers are played by a small node HTTP server inside each namespace.
const root = process.getuid?.() === 0;
const NS_IPT = 'netpath-fx-local-ipt';
const NS_NFT = 'netpath-fx-local-nft';
const NODE_IP = '10.240.9.2';

// kubelet's chains as kubelet_network_linux.go makes them: the hint in mangle, the canary in
// mangle, nat and filter; kube-proxy's in nat (and filter).
const IPTABLES_RULES = `*mangle
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-SERVICES - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.180.0.1:80
COMMIT
`;
const NFT_RULES = `table ip kube-proxy {
  chain services { }
}
table inet other-firewall {
  chain input { type filter hook input priority 0; policy accept; }
}
`;

/** Serves /proxyMode on 127.0.0.1:10249 (when mode is set) and /healthz on NODE_IP:30100. */
const serverScript = (mode: string | null) => `
const http = require('node:http');
let up = 0;
const ready = () => { if (++up === ${mode ? 2 : 1}) process.stdout.write('ready\\n'); };
${mode ? `http.createServer((q, s) => s.end(${JSON.stringify(mode)})).listen(10249, '127.0.0.1', ready);` : ''}
http.createServer((q, s) => {
  s.writeHead(503, { 'Content-Type': 'application/json' });
  s.end(JSON.stringify({ service: { namespace: 'ns1', name: 'svc1' }, localEndpoints: 0, serviceProxyHealthy: true }, null, 2));
}).listen(30100, '${NODE_IP}', ready);
`;

async function makeNamespace(ns: string): Promise<void> {
  await execa('ip', ['netns', 'add', ns]);
  await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // The node address on lo: enough for a listener, and needs no extra kernel module.
  await execa('ip', ['-n', ns, 'addr', 'add', `${NODE_IP}/32`, 'dev', 'lo']);
}

async function startServer(ns: string, mode: string | null): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', serverScript(mode)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', () => reject(new Error(`server in ${ns} exited early`)));
  });
  return child;
}

describe('LocalNodeReader in network namespaces', { skip: !root && 'needs root for network namespaces' }, () => {
  const servers: ChildProcess[] = [];
  before(async () => {
    for (const ns of [NS_IPT, NS_NFT]) await execa('ip', ['netns', 'del', ns], { reject: false });
    await makeNamespace(NS_IPT);
    await execa('ip', ['netns', 'exec', NS_IPT, 'iptables-nft-restore'], { input: IPTABLES_RULES });
    servers.push(await startServer(NS_IPT, 'iptables'));
    await makeNamespace(NS_NFT);
    await execa('ip', ['netns', 'exec', NS_NFT, 'nft', '-f', '-'], { input: NFT_RULES });
    servers.push(await startServer(NS_NFT, null)); // no metrics port: the mode must be inferred
  });
  after(async () => {
    for (const s of servers) {
      if (s.exitCode !== null) continue;
      s.kill(); // by its own PID (ip netns exec execs the server in place)
      await once(s, 'exit');
    }
    for (const ns of [NS_IPT, NS_NFT]) await execa('ip', ['netns', 'del', ns], { reject: false });
  });

  const reader = new LocalNodeReader(parseLocalNetns([`node-a=${NS_IPT},node-b=${NS_NFT}`]), 10_000);

  test('iptables mode: proxyMode from the metrics port, the nft backend by its hint chain, healthz', async () => {
    const dump = await reader.readNode({ node: 'node-a', address: NODE_IP, healthCheckPorts: [30100, 30101] }, () => {});
    assert.equal(dump.proxyMode, 'iptables');
    assert.equal(dump.location, 'live');
    const save = dump.files.get('iptables-save.txt') ?? '';
    // Saved with -c: each rule starts with its [packets:bytes] counters.
    assert.match(save, /^\[0:0\] -A KUBE-SERVICES -d 172\.30\.0\.41\/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10\.180\.0\.1:80$/m);
    // kube-proxy's tables only (nat, then filter); kubelet's canary there still names the backend.
    assert.deepEqual(save.match(/^\*\w+$/gm), ['*nat', '*filter']);
    assert.match(save, /^:KUBE-KUBELET-CANARY - \[0:0\]$/m);
    assert.equal(dump.files.has('nft.json'), false); // only the files of its mode
    assert.deepEqual(dump.healthz.get(30100), { status: 503, localEndpoints: 0, source: `live ${NODE_IP}:30100` });
    assert.equal(JSON.parse(dump.files.get('healthz/30100.json') ?? '').service.name, 'svc1');
    // Nothing listens on 30101: no status, no file.
    assert.deepEqual(dump.healthz.get(30101), { status: null, localEndpoints: null, source: `live ${NODE_IP}:30101` });
    assert.equal(dump.files.has('healthz/30101.json'), false);
  });

  test('no metrics port: the kube-proxy nftables table gives the mode, and nft.json is read', async () => {
    const dump = await reader.readNode({ node: 'node-b', address: NODE_IP, healthCheckPorts: [] }, () => {});
    assert.equal(dump.proxyMode, null);
    // The mode's dump, then the node's own addresses (ip -j addr), which every mode reads, plus
    // whatever node state this host's conntrack tool could read (optional files).
    const state = new Set(['conntrack.txt', 'conntrack-stats.txt', 'conntrack-count', 'kube-proxy-metrics.txt', 'kube-proxy-healthz.json']);
    assert.deepEqual([...dump.files.keys()].filter((f) => !state.has(f)), ['nft.json', 'ip-addr.json']);
    assert.ok(parseIpAddrJson(dump.files.get('ip-addr.json') ?? '', 'ip-addr.json').includes(NODE_IP));
    const ruleset = JSON.parse(dump.files.get('nft.json') ?? '') as { nftables: Array<{ table?: { family: string; name: string } }> };
    // kube-proxy's table and nothing else of the ruleset (no ip6 table here: IPv4 only).
    assert.deepEqual(ruleset.nftables.filter((o) => o.table).map((o) => `${o.table?.family} ${o.table?.name}`), ['ip kube-proxy']);
  });

  test('a node without an entry is refused with NODE_ACCESS', async () => {
    await assert.rejects(
      reader.readNode({ node: 'node-z', address: null, healthCheckPorts: [] }, () => {}),
      (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.NODE_ACCESS && e.message === 'node node-z: no --local-netns entry for it',
    );
  });
});

test('the debug pod tool probe, run for real: without /host every tool found comes from the image', { skip: !root && 'needs root' }, async () => {
  // This host has no /host: chroot fails, so iptables-save and nft are reported from the "image"
  // (this machine's PATH); a tool that exists nowhere is not reported at all.
  const res = await localRunner(null, 10_000).run(['sh', '-c', PROBE_SCRIPT, 'probe', 'iptables-save', 'nft', 'netpath-no-such-tool']);
  assert.equal(res.exitCode, 0);
  assert.equal(res.stdout, 'image iptables-save\nimage nft\n');
  assert.deepEqual(toolboxFromProbe(res.stdout).nft, ['nft']);
});

test('--local-netns parsing', () => {
  assert.deepEqual([...parseLocalNetns(['a=ns-a,b=-', 'c=ns-c'])], [['a', 'ns-a'], ['b', null], ['c', 'ns-c']]);
  for (const bad of ['a', 'a=', '=ns', 'A=ns', 'a=ns x']) {
    assert.throws(() => parseLocalNetns([bad]), (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE, bad);
  }
});
