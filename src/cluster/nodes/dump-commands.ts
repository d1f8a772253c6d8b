import { badInput, ExitCode, NetpathError } from '../../errors.ts';
import { DumpParseError } from '../../dataplane/errors.ts';
import { NO_TABLES_LINE } from '../../dataplane/iptables/parse.ts';
import { parseJsonText } from '../../dataplane/json-text.ts';
import { parseHealthzBody, parseProxyModeAnswer } from './node-answers.ts';
import type { ProxyMode } from '../../model/proxy-mode.ts';
import { DATAPLANES, dataplaneOf, isProxyMode } from '../../dataplane/registry.ts';
import { NODE_FILES } from '../bundle-layout.ts';
import type { HealthzReading, NodeDump } from '../source.ts';
import { detectIptablesBackend } from './iptables-backend.ts';
import type { BackendChoice } from './iptables-backend.ts';

/** What a command left behind. `exitCode` is null when it was killed or its status is unknown. */
export interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an argv on one node (through a debug pod, on this host, or in a network namespace). */
export interface CommandRunner {
  /** Resolves whatever the exit code; rejects (NetpathError) only when the command could not run or timed out. */
  run(argv: readonly string[]): Promise<CommandResult>;
}

/**
 * Most bytes one command may print (per stream) before the read stops with an error: bounds the
 * memory a node (or a hostile image) can make netpath use. The largest real dumps are tens of MB.
 */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Most commands one node read runs one after the other (tool probe, proxyMode, nft's two tables and
 * ipvsadm to infer the mode, the two variants' table saves in parallel, plain iptables-save's, the mode's other dumps,
 * ip -j addr, then the node-state reads side by side: two at most), health-check ports aside:
 * with --exec-timeout it bounds how long a node read can take.
 */
export const MAX_SERIAL_EXECS = 11;

/** Tools every node read uses besides the dataplanes' own: kube-proxy's ports, addresses, node state. */
const NODE_TOOLS = ['curl', 'ip', 'conntrack', 'cat'];

/** Every tool a node read may run: each registered dataplane's (its module names them), then the node's. */
export const nodeTools = (): string[] => [...new Set([...DATAPLANES.flatMap((m) => m.tools), ...NODE_TOOLS])];
export type Tool = string;

/** The argv prefix that runs each tool (e.g. `['chroot', '/host', 'nft']`), or null when absent. */
export type Toolbox = Readonly<Record<Tool, readonly string[] | null>>;

/** One node to read. */
export interface NodeTarget {
  node: string;
  /** Address kube-proxy's health-check servers listen on (the Node's InternalIP); null skips /healthz. */
  address: string | null;
  healthCheckPorts: readonly number[];
}

/** Where a healthz body is kept in NodeDump.files: its path inside the node directory. */
export const healthzFile = (port: number) => `${NODE_FILES.healthzDir}/${port}.json`;

const CURL_TIMEOUT_S = '5';
/** curl prints the body, then a last line with the HTTP status (a fixed format string, no user input). */
const STATUS_SUFFIX = '\n%{http_code}';

export interface CollectLog {
  (message: string): void;
}

/**
 * Reads one node's dataplane with fixed argv lists: kube-proxy's mode from its metrics port, then
 * that mode's dumps, then each health-check port. Each command runs at most once.
 */
export async function collectNodeDump(
  runner: CommandRunner,
  tools: Toolbox,
  target: NodeTarget,
  location: string,
  log: CollectLog = () => {},
): Promise<NodeDump> {
  const cache = new Map<string, Promise<CommandResult | null>>();
  /** null: the tool is absent. */
  const run = (tool: Tool, args: readonly string[]): Promise<CommandResult | null> => {
    const prefix = tools[tool] ?? null;
    if (!prefix) return Promise.resolve(null);
    const argv = [...prefix, ...args];
    const key = argv.join('\0');
    let p = cache.get(key);
    if (!p) {
      log(`${target.node}: ${argv.join(' ')}`);
      p = runner.run(argv);
      cache.set(key, p);
    }
    return p;
  };
  const required = async (tool: Tool, args: readonly string[]): Promise<string> => {
    const res = await run(tool, args);
    if (!res) throw new NetpathError(ExitCode.NODE_ACCESS, `node ${target.node}: ${tool} is not installed on the node or in the debug image (pass --image)`);
    if (res.exitCode !== 0) throw commandFailed(target.node, [tool, ...args], res);
    return res.stdout;
  };

  const proxyMode = await readProxyMode(run, target.node);
  const mode = proxyMode !== null && isProxyMode(proxyMode) ? proxyMode : await inferMode(run);
  log(`${target.node}: proxy mode ${mode}${proxyMode ? '' : ' (inferred: metrics port 10249 did not answer)'}`);

  const files = new Map<string, string>();
  // The mode's files (contract 1: a node directory holds the files of its mode only), each by its module's command.
  for (const dump of dataplaneOf(mode)!.dumps.filter((d) => d.captured)) {
    if (dump.name === NODE_FILES.iptablesSave) {
      const { text, choice } = await readIptables(run, target.node);
      if (choice) log(`${target.node}: iptables backend ${choice.backend} (${choice.reason})`);
      files.set(dump.name, text.trim() === '' ? `${NO_TABLES_LINE}\n` : text);
    } else if (dump.name === NODE_FILES.nftJson) {
      files.set(dump.name, await readNftTables(run, target.node));
    } else {
      const [tool = '', ...args] = dump.command;
      files.set(dump.name, await required(tool, args));
    }
  }

  // The node's own addresses decide addrtype LOCAL; optional: without `ip` the Node object's stand in.
  const addrs = await run('ip', ['-j', 'addr']);
  if (addrs?.exitCode === 0) files.set(NODE_FILES.ipAddr, addrs.stdout);
  else {
    const why = addrs ? `exit ${addrs.exitCode ?? 'unknown'}${addrs.stderr.trim() ? `: ${addrs.stderr.trim().split('\n')[0]}` : ''}` : 'ip not installed';
    log(`${target.node}: no ip -j addr (${why}): the Node object's addresses stand in for the node's own`);
  }

  const healthz = new Map<number, HealthzReading>();
  if (target.address) {
    for (const port of target.healthCheckPorts) {
      const { reading, body } = await readHealthz(run, target.node, target.address, port);
      healthz.set(port, reading);
      if (body !== null) files.set(healthzFile(port), body);
    }
  }
  for (const [file, text] of await readNodeState(run, target.node, mode, log)) files.set(file, text);
  return { node: target.node, location, proxyMode, files, healthz };
}

/**
 * What the kernel and kube-proxy are doing now (issue 10), all reads: the connection tracking
 * table, its counters and fill, kube-proxy's metrics and its own /healthz, and in IPVS mode the
 * virtual servers' counters and connection entries (IPVS keeps no iptables counters to read
 * instead). Each is optional: a
 * tool that is missing, fails, or prints more than the output cap (a huge conntrack table) leaves
 * its file out, with a line saying so. They run side by side: at most two in a row (conntrack -L
 * without -o extended after a refusal), which keeps the node read budget small.
 */
async function readNodeState(run: Run, node: string, mode: ProxyMode, log: CollectLog): Promise<Map<string, string>> {
  const optional = async (tool: Tool, args: readonly string[]): Promise<CommandResult | null> => {
    try {
      return await run(tool, args);
    } catch (e) {
      if (!(e instanceof NetpathError) || e.exitCode === ExitCode.INTERRUPTED) throw e;
      log(`${node}: left out ${tool} ${args.join(' ')}: ${e.message}`);
      return null;
    }
  };
  const ok = (res: CommandResult | null) => (res && res.exitCode === 0 && res.stdout.trim() !== '' ? res.stdout : null);
  const reads: [string, Promise<CommandResult | null>][] = [
    [NODE_FILES.conntrack, optional('conntrack', ['-L', '-o', 'extended']).then((r) => (r && r.exitCode !== 0 ? optional('conntrack', ['-L']) : r))],
    [NODE_FILES.conntrackStats, optional('conntrack', ['-S'])],
    [NODE_FILES.conntrackCount, optional('cat', [`${NF_PROC}/nf_conntrack_count`, `${NF_PROC}/nf_conntrack_max`])],
    [NODE_FILES.kubeProxyMetrics, optional('curl', ['-s', '--max-time', CURL_TIMEOUT_S, 'http://127.0.0.1:10249/metrics'])],
    [NODE_FILES.kubeProxyHealthz, optional('curl', ['-s', '--max-time', CURL_TIMEOUT_S, 'http://127.0.0.1:10256/healthz'])],
  ];
  if (mode === 'ipvs') {
    // --exact: whole counters (without it ipvsadm abbreviates past 100 million); -n: addresses, no names.
    reads.push([NODE_FILES.ipvsadmStats, optional('ipvsadm', ['-Ln', '--stats', '--exact'])], [NODE_FILES.ipvsadmConnections, optional('ipvsadm', ['-Ln'])]);
  }
  const out = new Map<string, string>();
  for (const [file, res] of reads) {
    const text = ok(await res);
    if (text !== null) out.set(file, text);
  }
  return out;
}

const NF_PROC = '/proc/sys/net/netfilter';

type Run = (tool: Tool, args: readonly string[]) => Promise<CommandResult | null>;

async function readProxyMode(run: Run, node: string): Promise<string | null> {
  const res = await run('curl', ['-s', '--max-time', CURL_TIMEOUT_S, 'http://127.0.0.1:10249/proxyMode']);
  if (!res || res.exitCode !== 0) return null;
  return answerOf(node, 'curl 127.0.0.1:10249/proxyMode', () => parseProxyModeAnswer(res.stdout, NODE_FILES.proxyMode));
}

/** Without the metrics port: kube-proxy's nftables table, else IPVS virtual servers, else iptables. */
async function inferMode(run: Run): Promise<ProxyMode> {
  const nft = await Promise.all(NFT_TABLES.map((args) => run('nft', args)));
  if (nft.some((r) => r?.exitCode === 0)) return 'nftables';
  const ipvs = await run('ipvsadm', ['-Sn']);
  if (ipvs?.exitCode === 0 && /^-A /m.test(ipvs.stdout)) return 'ipvs';
  return 'iptables';
}

/**
 * The tables kube-proxy writes (pkg/proxy/iptables/proxier.go, and IPVS mode's): nat and filter.
 * Its mangle chain is only a canary, and kubelet's KUBE-KUBELET-CANARY, which the backend
 * detection looks for, sits in nat and filter as well as mangle. -c: each rule's
 * [packets:bytes], the new connections it matched since it was written (issue 10).
 */
export const IPTABLES_SAVE_ARGS: readonly (readonly string[])[] = [
  ['-c', '-t', 'nat'],
  ['-c', '-t', 'filter'],
];

/**
 * kube-proxy's own nftables tables, one per family: never the whole ruleset (old nft versions
 * crash listing other tables, and large ones take minutes).
 */
export const NFT_TABLES: readonly (readonly string[])[] = [
  ['-j', 'list', 'table', 'ip', 'kube-proxy'],
  ['-j', 'list', 'table', 'ip6', 'kube-proxy'],
];

type Saved = { text: string } | { failed: CommandResult; args: readonly string[] } | null;

/** One variant's saves of kube-proxy's tables, one after the other in the text as a full save prints them; null when the tool is absent. */
async function saveTables(run: Run, tool: Tool): Promise<Saved> {
  const results = await Promise.all(IPTABLES_SAVE_ARGS.map((args) => run(tool, args)));
  let text = '';
  for (const [i, r] of results.entries()) {
    if (!r) return null;
    if (r.exitCode !== 0) return { failed: r, args: IPTABLES_SAVE_ARGS[i]! };
    text += r.stdout;
  }
  return { text };
}

/** Both backends' saves, then the one kube-proxy used; plain iptables-save when neither variant exists. */
async function readIptables(run: Run, node: string): Promise<{ text: string; choice: BackendChoice | null }> {
  const [legacy, nft] = await Promise.all([saveTables(run, 'iptables-legacy-save'), saveTables(run, 'iptables-nft-save')]);
  const ok = (r: Saved) => (r && 'text' in r ? r.text : null);
  if (ok(legacy) !== null || ok(nft) !== null) {
    const choice = detectIptablesBackend(ok(legacy), ok(nft));
    const text = choice.backend === 'legacy' ? ok(legacy) : ok(nft);
    if (text !== null) return { text, choice };
  }
  const plain = await saveTables(run, 'iptables-save');
  if (!plain) throw new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: no iptables-save on the node or in the debug image (pass --image)`);
  if ('failed' in plain) throw commandFailed(node, ['iptables-save', ...plain.args], plain.failed);
  return { text: plain.text, choice: null };
}

/** What nft says for a table that does not exist (nftables 0.9 to 1.1). */
const NO_SUCH_TABLE = /No such file or directory/;

/**
 * kube-proxy's ip and ip6 tables as one `nft -j` document: libnftables prints one
 * {"nftables": [metainfo, table, chains...]} per command, and one array holding both tables'
 * items after a single metainfo is what `list ruleset` would print for them. A missing ip6 table
 * (an IPv4-only node) or ip table (IPv6-only) is normal; with neither the document holds no
 * table, which reads back as a dump without kube-proxy rules (its own finding), not a failure.
 */
async function readNftTables(run: Run, node: string): Promise<string> {
  const results = await Promise.all(NFT_TABLES.map((args) => run('nft', args)));
  const found: string[] = [];
  for (const [i, r] of results.entries()) {
    if (!r) throw new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: nft is not installed on the node or in the debug image (pass --image)`);
    if (r.exitCode === 0) found.push(r.stdout);
    else if (!NO_SUCH_TABLE.test(r.stderr)) throw commandFailed(node, ['nft', ...NFT_TABLES[i]!], r);
  }
  // One table: nft's own text, unchanged (parse errors then point into what nft printed).
  if (found.length === 1) return found[0]!;
  if (found.length === 0) return '{"nftables": []}\n';
  const items = found.flatMap((text, i) => {
    const command = `nft ${NFT_TABLES[i]!.join(' ')}`;
    const list = answerOf(node, command, () => {
      const doc = parseJsonText(text, NODE_FILES.nftJson) as { nftables?: unknown };
      if (!Array.isArray(doc?.nftables)) throw new DumpParseError(NODE_FILES.nftJson, 1, 'no top-level "nftables" array');
      return doc.nftables as unknown[];
    });
    return i === 0 ? list : list.filter((item) => !(typeof item === 'object' && item !== null && 'metainfo' in item));
  });
  return `${JSON.stringify({ nftables: items })}\n`;
}

async function readHealthz(run: Run, node: string, address: string, port: number): Promise<{ reading: HealthzReading; body: string | null }> {
  const host = address.includes(':') ? `[${address}]` : address;
  const source = `live ${host}:${port}`;
  const res = await run('curl', ['-s', '--max-time', CURL_TIMEOUT_S, '-w', STATUS_SUFFIX, `http://${host}:${port}/healthz`]);
  if (!res || res.exitCode !== 0) return { reading: { status: null, localEndpoints: null, source }, body: null };
  const cut = res.stdout.lastIndexOf('\n');
  const status = Number(res.stdout.slice(cut + 1).trim());
  const body = res.stdout.slice(0, cut);
  // The body goes into a captured bundle, where it must read back: an answer that is not
  // kube-proxy's (something else listens on the port) is an error here too.
  const { localEndpoints } = answerOf(node, `curl http://${host}:${port}/healthz`, () => parseHealthzBody(body, healthzFile(port)));
  return { reading: { status: Number.isInteger(status) && status > 0 ? status : null, localEndpoints, source }, body };
}

/** Output of a node command that cannot be parsed: bad input naming the node and the command. */
function answerOf<T>(node: string, command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof DumpParseError)) throw e;
    throw badInput(`node ${node}: cannot parse the output of ${command} (${e.file}${e.line === null ? '' : ` line ${e.line}`}): ${e.detail}`);
  }
}

function commandFailed(node: string, argv: readonly string[], res: CommandResult): NetpathError {
  const why = res.stderr.trim().split('\n')[0] || `exit ${res.exitCode ?? 'unknown'}`;
  return new NetpathError(ExitCode.NODE_ACCESS, `node ${node}: ${argv.join(' ')} failed: ${why}`);
}
