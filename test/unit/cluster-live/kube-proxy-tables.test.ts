// Issue 11: a live node read lists kube-proxy's own tables only (iptables nat and filter; nftables
// `ip kube-proxy` and `ip6 kube-proxy`), never the whole ruleset, and what it writes reads back
// like a full save would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NODE_FILES } from '../../../src/cluster/bundle-layout.ts';
import { collectNodeDump, nodeTools } from '../../../src/cluster/nodes/dump-commands.ts';
import type { CommandResult, Toolbox } from '../../../src/cluster/nodes/dump-commands.ts';
import { parseIptablesDump } from '../../../src/dataplane/iptables/parse.ts';
import { parseNftJson } from '../../../src/dataplane/nftables/parse-json.ts';
import { DATAPLANES } from '../../../src/dataplane/registry.ts';
import { loadDataplane } from '../../../src/dataplane/select-mode.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const IP_TABLE = fixture('nft-json-kube-proxy-v1.36.3-clusterip.json'); // the harness node's ruleset is this one table
const IP6_TABLE = readFileSync(new URL('./fixtures/nft-json-ip6-kube-proxy-table-netns.json', import.meta.url), 'utf8');
/** nft 1.0.6's answer for a table that does not exist (observed, see the ip6 fixture's note). */
const ABSENT = (family: string): CommandResult => ({ exitCode: 1, stdout: '', stderr: `Error: No such file or directory\nlist table ${family} kube-proxy\n              ^^^^^^^^^^\n` });

const tools = Object.fromEntries(nodeTools().map((t) => [t, [t]])) as unknown as Toolbox;

/** An nftables-mode node whose `nft -j list table FAMILY kube-proxy` answers as given; everything else fails. */
async function nftNode(ip: CommandResult, ip6: CommandResult, ran: string[][] = []) {
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      ran.push([...argv]);
      const cmd = argv.join(' ');
      if (cmd === 'curl -s --max-time 5 http://127.0.0.1:10249/proxyMode') return { exitCode: 0, stdout: 'nftables', stderr: '' };
      if (cmd === 'nft -j list table ip kube-proxy') return ip;
      if (cmd === 'nft -j list table ip6 kube-proxy') return ip6;
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  return collectNodeDump(runner, tools, { node: 'node-a', address: null, healthCheckPorts: [] }, 'live');
}
const ok = (stdout: string): CommandResult => ({ exitCode: 0, stdout, stderr: '' });

test('nftables: only kube-proxy\'s two tables are listed, never the ruleset; an IPv4-only node keeps nft\'s text as printed', async () => {
  const ran: string[][] = [];
  const dump = await nftNode(ok(IP_TABLE), ABSENT('ip6'), ran);
  const nftRuns = ran.filter((a) => a[0] === 'nft');
  assert.deepEqual(nftRuns, [
    ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy'],
    ['nft', '-j', 'list', 'table', 'ip6', 'kube-proxy'],
  ]);
  assert.equal(dump.files.get(NODE_FILES.nftJson), IP_TABLE);
});

test('nftables: a dual-stack node\'s two tables merge into one document with one metainfo, which parses to both tables', async () => {
  const dump = await nftNode(ok(IP_TABLE), ok(IP6_TABLE));
  const text = dump.files.get(NODE_FILES.nftJson) ?? '';
  const items = (JSON.parse(text) as { nftables: Record<string, unknown>[] }).nftables;
  // Items: the ip document's all, plus the ip6 document's 6 minus its metainfo.
  const ipItems = (JSON.parse(IP_TABLE) as { nftables: unknown[] }).nftables.length;
  assert.equal(items.length, ipItems + 5);
  assert.equal(items.filter((i) => 'metainfo' in i).length, 1);
  const ruleset = parseNftJson(text);
  assert.deepEqual(ruleset.tables.map((t) => `${t.family} ${t.name}`), ['ip kube-proxy', 'ip6 kube-proxy']);
  assert.equal(ruleset.nftVersion, '1.0.6');
});

test('nftables: no kube-proxy table in either family reads back as a dump without kube-proxy rules, not a crash', async () => {
  const dump = await nftNode(ABSENT('ip'), ABSENT('ip6'));
  const loaded = loadDataplane('nftables', dump.files, DATAPLANES);
  assert.equal(loaded.walker, null);
  assert.deepEqual(loaded.withoutKubeProxyRules, [NODE_FILES.nftJson]);
});

test('nftables: any other nft failure is a node-access error naming the command', async () => {
  await assert.rejects(nftNode(ok(IP_TABLE), { exitCode: 1, stdout: '', stderr: 'netlink: Error: cache initialization failed: Operation not permitted\n' }), (e: unknown) => {
    assert.ok(e instanceof NetpathError);
    assert.equal(e.exitCode, ExitCode.NODE_ACCESS);
    assert.match(e.message, /node node-a: nft -j list table ip6 kube-proxy failed: netlink: Error: cache initialization failed/);
    return true;
  });
});

test('without the metrics port, kube-proxy\'s ip6 table alone is enough to infer nftables mode (an IPv6-only node)', async () => {
  const ran: string[][] = [];
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      ran.push([...argv]);
      const cmd = argv.join(' ');
      if (cmd === 'nft -j list table ip kube-proxy') return ABSENT('ip');
      if (cmd === 'nft -j list table ip6 kube-proxy') return ok(IP6_TABLE);
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  const dump = await collectNodeDump(runner, tools, { node: 'node-a', address: null, healthCheckPorts: [] }, 'live');
  assert.equal(dump.files.get(NODE_FILES.nftJson), IP6_TABLE);
  assert.equal(ran.filter((a) => a[0] === 'ipvsadm' || a[0]?.startsWith('iptables')).length, 0);
});

test('iptables: the nat and filter saves, one after the other, parse as the full save\'s two tables with their counters', async () => {
  const full = fixture('iptables-save-c-harness-clusterip.txt');
  const blocks = full.split(/(?=^# Generated)/m);
  const table = (name: string) => blocks.find((b) => b.includes(`\n*${name}\n`))!;
  const runner = {
    async run(argv: readonly string[]): Promise<CommandResult> {
      const cmd = argv.join(' ');
      if (cmd === 'curl -s --max-time 5 http://127.0.0.1:10249/proxyMode') return ok('iptables');
      if (cmd === 'iptables-nft-save -c -t nat') return ok(table('nat'));
      if (cmd === 'iptables-nft-save -c -t filter') return ok(table('filter'));
      return { exitCode: 7, stdout: '', stderr: 'no' };
    },
  };
  const dump = await collectNodeDump(runner, tools, { node: 'node-a', address: null, healthCheckPorts: [] }, 'live');
  const text = dump.files.get(NODE_FILES.iptablesSave) ?? '';
  assert.equal(text, table('nat') + table('filter'));
  const parsed = parseIptablesDump(text, NODE_FILES.iptablesSave);
  assert.deepEqual(parsed.tables.map((t) => t.name).sort(), ['filter', 'nat']);
  // The full save of the same node has mangle too (kubelet's hint and canary chains): 3 tables, 1 left out.
  assert.equal(parseIptablesDump(full, NODE_FILES.iptablesSave).tables.length, 3);
});
