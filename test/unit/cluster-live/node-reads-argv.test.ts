// Nothing netpath runs on a node writes to it: the exact argv lists of one node read, in order,
// for an iptables-mode node whose kube-proxy answers (issue 10 adds the conntrack and kube-proxy
// status reads). Every command below only reads: -save dumps, conntrack -L/-S (list, statistics),
// cat of two /proc counters and HTTP GETs to kube-proxy's metrics and health ports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { collectNodeDump, nodeTools } from '../../../src/cluster/nodes/dump-commands.ts';
import type { CommandResult, Toolbox } from '../../../src/cluster/nodes/dump-commands.ts';
import { NODE_FILES } from '../../../src/cluster/bundle-layout.ts';
import { NO_TABLES_LINE, parseIptablesDump } from '../../../src/dataplane/iptables/parse.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

/** One table's block of a full save (`# Generated` .. `# Completed`), as `-save -t TABLE` prints it. */
const tableOf = (save: string, table: string) => {
  const block = save.split(/(?=^# Generated)/m).find((b) => b.includes(`\n*${table}\n`));
  assert.ok(block, `table ${table} in the fixture`);
  return block;
};

test('an iptables node read runs exactly these argv lists, and keeps the node-state files', async () => {
  const ran: string[][] = [];
  const answers: Record<string, string> = {
    'curl -s --max-time 5 http://127.0.0.1:10249/proxyMode': 'iptables',
    'iptables-nft-save -c -t nat': tableOf(fixture('iptables-save-c-harness-clusterip.txt'), 'nat'),
    'iptables-nft-save -c -t filter': tableOf(fixture('iptables-save-c-harness-clusterip.txt'), 'filter'),
    'iptables-legacy-save -c -t nat': '',
    'iptables-legacy-save -c -t filter': '',
    'conntrack -L -o extended': fixture('conntrack-L-extended-harness-clusterip.txt'),
    'conntrack -S': fixture('conntrack-S-harness.txt'),
    'cat /proc/sys/net/netfilter/nf_conntrack_count /proc/sys/net/netfilter/nf_conntrack_max': '48\n262144\n',
    'curl -s --max-time 5 http://127.0.0.1:10249/metrics': fixture('kube-proxy-metrics-harness-v1.36.3-iptables.txt'),
    'curl -s --max-time 5 http://127.0.0.1:10256/healthz': fixture('kube-proxy-healthz-harness-v1.36.3.json'),
    'curl -s --max-time 5 -w \n%{http_code} http://10.240.0.11:31000/healthz': '{"service":{"namespace":"shop","name":"web"},"localEndpoints":1,"serviceProxyHealthy":true}\n200',
  };
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      ran.push([...argv]);
      const out = answers[argv.join(' ')];
      return out === undefined ? { exitCode: 1, stdout: '', stderr: 'unexpected' } : { exitCode: 0, stdout: out, stderr: '' };
    },
  };
  const tools = Object.fromEntries(nodeTools().map((t) => [t, [t]])) as unknown as Toolbox;
  const dump = await collectNodeDump(runner, tools, { node: 'node-a', address: '10.240.0.11', healthCheckPorts: [31000] }, 'live');
  assert.deepEqual(ran, [
    ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/proxyMode'],
    ['iptables-legacy-save', '-c', '-t', 'nat'],
    ['iptables-legacy-save', '-c', '-t', 'filter'],
    ['iptables-nft-save', '-c', '-t', 'nat'],
    ['iptables-nft-save', '-c', '-t', 'filter'],
    ['ip', '-j', 'addr'],
    ['curl', '-s', '--max-time', '5', '-w', '\n%{http_code}', 'http://10.240.0.11:31000/healthz'],
    ['conntrack', '-L', '-o', 'extended'],
    ['conntrack', '-S'],
    ['cat', '/proc/sys/net/netfilter/nf_conntrack_count', '/proc/sys/net/netfilter/nf_conntrack_max'],
    ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10249/metrics'],
    ['curl', '-s', '--max-time', '5', 'http://127.0.0.1:10256/healthz'],
  ]);
  for (const f of [NODE_FILES.iptablesSave, NODE_FILES.conntrack, NODE_FILES.conntrackStats, NODE_FILES.conntrackCount, NODE_FILES.kubeProxyMetrics, NODE_FILES.kubeProxyHealthz]) {
    assert.ok(dump.files.has(f), f);
  }
  assert.equal(dump.files.get(NODE_FILES.conntrackCount), '48\n262144\n');
});

test('without conntrack on the node the read still succeeds, without the conntrack files', async () => {
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      if (argv[0] === 'iptables-save') return { exitCode: 0, stdout: '*nat\nCOMMIT\n', stderr: '' };
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  const tools = Object.fromEntries(nodeTools().map((t) => [t, t === 'conntrack' || t.startsWith('iptables-') && t !== 'iptables-save' ? null : [t]])) as unknown as Toolbox;
  const dump = await collectNodeDump(runner, tools, { node: 'n', address: null, healthCheckPorts: [] }, 'live');
  assert.deepEqual([...dump.files.keys()], [NODE_FILES.iptablesSave]);
});

test('an IPVS node read adds ipvsadm -Ln --stats --exact and ipvsadm -Ln, each optional', async () => {
  const stats = fixture('ipvs-real-kube-router-160-ipvsadm-Ln-stats.txt');
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      const cmd = argv.join(' ');
      if (cmd === 'curl -s --max-time 5 http://127.0.0.1:10249/proxyMode') return { exitCode: 0, stdout: 'ipvs', stderr: '' };
      if (cmd === 'ipvsadm -Sn') return { exitCode: 0, stdout: '-A -t 10.3.0.42:80 -s rr\n', stderr: '' };
      if (cmd === 'ipvsadm -Ln --stats --exact') return { exitCode: 0, stdout: stats, stderr: '' };
      // A plain listing that fails: left out, the read goes on.
      if (cmd === 'ipvsadm -Ln') return { exitCode: 2, stdout: '', stderr: 'Can\'t initialize ipvs' };
      if (cmd.startsWith('iptables-save -c -t ')) return { exitCode: 0, stdout: `*${argv.at(-1)}\nCOMMIT\n`, stderr: '' };
      if (cmd === 'ipset list') return { exitCode: 0, stdout: '', stderr: '' };
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  const tools = Object.fromEntries(nodeTools().map((t) => [t, t.startsWith('iptables-') && t !== 'iptables-save' ? null : [t]])) as unknown as Toolbox;
  const dump = await collectNodeDump(runner, tools, { node: 'n', address: null, healthCheckPorts: [] }, 'live');
  assert.equal(dump.files.get(NODE_FILES.ipvsadmStats), stats);
  assert.equal(dump.files.has(NODE_FILES.ipvsadmConnections), false);
});

test('iptables-save that exits 0 and prints nothing (no table on the node) is recorded as such and reads back as zero tables; an empty file stays an error', async () => {
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      if (argv.join(' ') === 'curl -s --max-time 5 http://127.0.0.1:10249/proxyMode') return { exitCode: 0, stdout: 'iptables', stderr: '' };
      // Both backends answer with nothing, as on a host with no iptables table loaded.
      if (argv[0]?.startsWith('iptables')) return { exitCode: 0, stdout: '', stderr: '' };
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  const tools = Object.fromEntries(nodeTools().map((t) => [t, [t]])) as unknown as Toolbox;
  const dump = await collectNodeDump(runner, tools, { node: 'n', address: null, healthCheckPorts: [] }, 'live');
  const text = dump.files.get(NODE_FILES.iptablesSave) ?? '';
  assert.equal(text, `${NO_TABLES_LINE}\n`);
  assert.equal(parseIptablesDump(text, 'iptables-save.txt').tables.length, 0);
  assert.throws(() => parseIptablesDump('', 'iptables-save.txt'), /the file is empty/);
});
