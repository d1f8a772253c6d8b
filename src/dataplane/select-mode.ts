import type { ProxyMode } from '../model/proxy-mode.ts';
import { checkDumpText, dumpFilesIn, parseRemainingDumps } from './node-files.ts';
import type { DataplaneModule, NodeFiles, Walker } from './types.ts';

export interface LoadedDataplane {
  mode: ProxyMode | null;
  modeSource: 'proxy-mode' | 'dump' | null;
  walker: Walker | null;
  /** Disagreements between what kube-proxy reported and what the dump holds. */
  problems: string[];
  /** Well-formed dump files that hold no kube-proxy rules of any mode (empty when a mode was found). */
  withoutKubeProxyRules: string[];
}

/**
 * Picks the mode for one node: kube-proxy's own /proxyMode answer wins when its dump is present;
 * otherwise the files decide (modules are tried in order, `fallback` ones last). Every dump file
 * present is parsed, the walked ones and the others: throws DumpParseError for any that cannot be.
 */
export function loadDataplane(reported: string | null, files: NodeFiles, modules: readonly DataplaneModule[]): LoadedDataplane {
  for (const file of dumpFilesIn(files)) checkDumpText(file, files.get(file)!);
  const problems: string[] = [];
  const has = (m: DataplaneModule) =>
    m.requiredFiles.every((f) => files.has(f) || m.dumps.some((d) => d.insteadOf === f && files.has(d.name)));
  const loaded = (mode: ProxyMode, modeSource: 'proxy-mode' | 'dump', module: DataplaneModule): LoadedDataplane => {
    const walker = module.load(files);
    // A stand-in the walker did not read (nft.txt beside nft.json) is still parsed below.
    const read = module.dumps.filter((d) => !(d.insteadOf !== undefined && files.has(d.insteadOf)));
    parseRemainingDumps(files, read.map((d) => d.name));
    return { mode, modeSource, walker, problems, withoutKubeProxyRules: [] };
  };
  let reportedHoldsNoRules = false;
  if (reported !== null) {
    const named = modules.find((m) => m.mode === reported);
    if (!named) {
      problems.push(`kube-proxy reports mode "${reported}", which netpath does not know`);
    } else if (has(named) && named.detect(files)) {
      return loaded(named.mode, 'proxy-mode', named);
    } else if (has(named)) {
      // Its own no-kube-proxy-rules finding says what that means; not a mode mismatch.
      reportedHoldsNoRules = true;
    } else {
      problems.push(`kube-proxy reports mode ${reported} but the dump has no ${named.requiredFiles.join(', ')}`);
    }
  }
  const detected = [...modules.filter((m) => !m.fallback), ...modules.filter((m) => m.fallback)].find((m) => has(m) && m.detect(files));
  if (!detected) {
    parseRemainingDumps(files, []);
    return { mode: null, modeSource: null, walker: null, problems, withoutKubeProxyRules: dumpFilesIn(files) };
  }
  if (reported !== null && detected.mode !== reported) {
    problems.push(
      reportedHoldsNoRules
        ? `kube-proxy reports mode ${reported} but its dump holds no kube-proxy rules, while the dump holds ${detected.mode} rules: rules may be left over from an earlier mode`
        : `the dump holds ${detected.mode} rules while kube-proxy reports ${reported}: rules may be left over from an earlier mode`,
    );
  }
  return loaded(detected.mode, 'dump', detected);
}
