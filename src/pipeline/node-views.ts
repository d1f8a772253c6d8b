import type { NodeView } from '../analyzers/inputs.ts';
import { expectedWalkerOf } from '../analyzers/expected-walker.ts';
import type { RunFacts } from '../analyzers/run-facts.ts';
import type { NodeDump } from '../cluster/source.ts';
import { DUMP_COMMANDS, LIVE_LOCATION, NODE_FILES } from '../cluster/bundle-layout.ts';
import { DumpParseError } from '../dataplane/errors.ts';
import { parseIpAddrJson } from '../net/host-addresses.ts';
import { DATAPLANES } from '../dataplane/registry.ts';
import { loadDataplane } from '../dataplane/select-mode.ts';
import { badInput } from '../errors.ts';
import { silentProgress } from '../cluster/live/progress.ts';
import type { Progress } from '../cluster/live/progress.ts';

/**
 * One view per node, built once per run: its dump parsed into the observed walker (none without a
 * dump: basis model), and the expected walker, kube-proxy's semantics for its mode and addresses.
 */
export function nodeViews(facts: RunFacts, nodeNames: readonly string[], dumps: ReadonlyMap<string, NodeDump>, progress: Progress = silentProgress): NodeView[] {
  let parsed = 0;
  const views = nodeNames.map((node) => {
    const dump = dumps.get(node);
    return dump ? nodeView(facts, dump, progress, `${++parsed}/${dumps.size}`) : unreadView(facts, node);
  });
  progress.stop();
  return views;
}

/** A node whose dump was not read: kube-proxy's semantics answer for it. */
export function unreadView(facts: RunFacts, node: string): NodeView {
  const view = { node, mode: null, modeSource: null, reportedMode: null, basis: 'model' as const, walker: null, notices: [], location: null, problems: [], healthz: new Map() };
  return { ...view, expected: expectedWalkerOf(facts, view) };
}

/** One node's dump parsed into its walker; `count` says which of how many for the progress line. */
export function nodeView(facts: RunFacts, dump: NodeDump, progress: Progress, count: string): NodeView {
  // Large dumps take seconds each: say which one is being parsed.
  progress.status(`parsing the dataplane of ${dump.node} (${count})`);
  progress.log(`parsing ${dump.location}`);
  try {
    const loaded = loadDataplane(dump.proxyMode, dump.files, DATAPLANES);
    const view = {
      node: dump.node,
      mode: loaded.mode,
      modeSource: loaded.modeSource,
      reportedMode: dump.proxyMode,
      basis: loaded.walker ? ('dataplane' as const) : ('model' as const),
      walker: loaded.walker,
      notices: loaded.walker?.notices() ?? [],
      location: dump.location,
      problems: loaded.problems,
      withoutKubeProxyRules: loaded.withoutKubeProxyRules,
      healthz: dump.healthz,
      hostAddresses: hostAddressesOf(dump),
    };
    return { ...view, expected: expectedWalkerOf(facts, view) };
  } catch (e) {
    progress.stop();
    if (e instanceof DumpParseError) throw badInput(unparsable(dump, e));
    throw e;
  }
}

/** A bundle file by its path in the bundle; a live read by its node and the command that printed it. */
function unparsable(dump: NodeDump, e: DumpParseError): string {
  if (dump.location !== LIVE_LOCATION) return `${dump.location}/${e.message}`;
  const command = DUMP_COMMANDS[e.file] ?? e.file;
  return `node ${dump.node}: cannot parse the output of ${command} (${e.file}${e.line === null ? '' : ` line ${e.line}`}): ${e.detail}`;
}

/** The node's own addresses when ip-addr.json was captured; a file that does not parse is bad input. */
function hostAddressesOf(dump: NodeDump): string[] | null {
  const text = dump.files.get(NODE_FILES.ipAddr);
  return text === undefined ? null : parseIpAddrJson(text, NODE_FILES.ipAddr);
}
