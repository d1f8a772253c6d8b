import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROBE_SCRIPT, toolboxFromProbe } from '../../../src/cluster/nodes/debug-pod.ts';
import { collectNodeDump, nodeTools } from '../../../src/cluster/nodes/dump-commands.ts';
import type { CommandResult, Toolbox } from '../../../src/cluster/nodes/dump-commands.ts';

/**
 * The exact argv lists netpath runs on a node, as SECURITY.md lists them. Each node read runs the
 * probe, then some of the others (which ones depends on the proxy mode and on which tools exist).
 */
const EXPECTED: string[][] = [
  ['sh', '-c', PROBE_SCRIPT, 'probe', 'iptables-save', 'iptables-legacy-save', 'iptables-nft-save', 'nft', 'ipvsadm', 'ipset', 'curl', 'ip', 'conntrack', 'cat'],
  ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/proxyMode'],
  // kube-proxy's tables only: nat and filter, its nftables table per family (issue 11).
  ['iptables-legacy-save', '-c', '-t', 'nat'],
  ['iptables-legacy-save', '-c', '-t', 'filter'],
  ['iptables-nft-save', '-c', '-t', 'nat'],
  ['iptables-nft-save', '-c', '-t', 'filter'],
  ['iptables-save', '-c', '-t', 'nat'],
  ['iptables-save', '-c', '-t', 'filter'],
  ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy'],
  ['nft', '-j', 'list', 'table', 'ip6', 'kube-proxy'],
  ['ipvsadm', '-Sn'],
  ['ipvsadm', '-Ln', '--stats', '--exact'],
  ['ipvsadm', '-Ln'],
  ['ipset', 'list'],
  ['ip', '-j', 'addr'],
  ['conntrack', '-L', '-o', 'extended'],
  ['conntrack', '-L'],
  ['conntrack', '-S'],
  ['cat', '/proc/sys/net/netfilter/nf_conntrack_count', '/proc/sys/net/netfilter/nf_conntrack_max'],
  ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/metrics'],
  ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10256/healthz'],
  ['curl', '-s', '--max-time', '5', '-w', '\n%{http_code}', 'http://NODE-IP:PORT/healthz'],
];

const key = (argv: readonly string[]) => JSON.stringify(argv);

/** Every argv collectNodeDump runs over the node states that reach each branch, placeholders in. */
async function recorded(): Promise<Set<string>> {
  const seen = new Set<string>();
  const all = Object.fromEntries(nodeTools().map((t) => [t, [t]])) as unknown as Toolbox;
  const noVariants: Toolbox = { ...all, 'iptables-legacy-save': null, 'iptables-nft-save': null };
  const cases: { mode: string; tools: Toolbox }[] = [
    { mode: 'iptables', tools: all },
    { mode: 'iptables', tools: noVariants }, // plain iptables-save
    { mode: 'nftables', tools: all },
    { mode: 'ipvs', tools: all },
    { mode: '', tools: all }, // metrics port silent: the mode is inferred from nft and ipvsadm
  ];
  for (const { mode, tools } of cases) {
    const run = async (argv: readonly string[]): Promise<CommandResult> => {
      seen.add(key(argv.map((a) => a.replace('192.0.2.10:30549', 'NODE-IP:PORT'))));
      const proxyMode = argv.at(-1) === 'http://127.0.0.1:10249/proxyMode';
      if (proxyMode) return { exitCode: mode ? 0 : 7, stdout: mode, stderr: '' };
      // On the nftables case, a conntrack that refuses -o extended: the plain listing follows.
      if (mode === 'nftables' && key(argv) === key(['conntrack', '-L', '-o', 'extended'])) return { exitCode: 1, stdout: '', stderr: 'unknown option' };
      return { exitCode: 0, stdout: argv[0] === 'curl' ? '{"service":{"namespace":"ns","name":"svc"},"localEndpoints":1,"serviceProxyHealthy":true}\n200' : argv[0] === 'nft' ? '{"nftables":[]}' : argv[0] === 'ip' ? '[]' : '', stderr: '' };
    };
    await collectNodeDump({ run }, tools, { node: 'n', address: '192.0.2.10', healthCheckPorts: [30549] }, 'live');
  }
  seen.add(key(['sh', '-c', PROBE_SCRIPT, 'probe', ...nodeTools()]));
  return seen;
}

test('the commands netpath runs on a node are exactly these fixed argv lists', async () => {
  assert.deepEqual([...(await recorded())].sort(), EXPECTED.map(key).sort());
});

test('a tool the node has runs from the node\'s own root, read-only at /host; otherwise the image\'s', () => {
  const tools = toolboxFromProbe('host nft /usr/sbin/nft\nimage curl\n');
  assert.deepEqual(tools.nft, ['chroot', '/host', '/usr/sbin/nft']);
  assert.deepEqual(tools.curl, ['curl']);
});

test('SECURITY.md lists the same argv lists (doc and code cannot drift)', () => {
  const doc = readFileSync(new URL('../../../SECURITY.md', import.meta.url), 'utf8');
  const block = /<!-- argv:begin -->\n```json\n([\s\S]*?)\n```\n<!-- argv:end -->/.exec(doc)?.[1];
  assert.ok(block, 'SECURITY.md has the argv block');
  const listed = block.split('\n').map((line) => JSON.parse(line) as string[]);
  assert.deepEqual(listed.map(key), EXPECTED.map(key));
});
