import type { ProxyMode } from '../model/proxy-mode.ts';
import type { DataplaneModule, NodeFiles, Walker } from './types.ts';

export interface LoadedDataplane {
  mode: ProxyMode | null;
  modeSource: 'proxy-mode' | 'dump' | null;
  walker: Walker | null;
  /** Disagreements between what kube-proxy reported and what the dump holds. */
  problems: string[];
}

/**
 * Picks the mode for one node: kube-proxy's own /proxyMode answer wins when its dump is present;
 * otherwise the files decide (modules are tried in order, most specific first).
 */
export function loadDataplane(reported: string | null, files: NodeFiles, modules: readonly DataplaneModule[]): LoadedDataplane {
  const problems: string[] = [];
  const has = (m: DataplaneModule) => m.requiredFiles.every((f) => files.has(f));
  if (reported !== null) {
    const named = modules.find((m) => m.mode === reported);
    if (!named) {
      problems.push(`kube-proxy reports mode "${reported}", which netpath does not know`);
    } else if (has(named) && named.detect(files)) {
      return { mode: named.mode, modeSource: 'proxy-mode', walker: named.load(files), problems };
    } else {
      problems.push(
        has(named)
          ? `kube-proxy reports mode ${reported} but its dump (${named.requiredFiles.join(', ')}) holds no kube-proxy rules`
          : `kube-proxy reports mode ${reported} but the dump has no ${named.requiredFiles.join(', ')}`,
      );
    }
  }
  const detected = modules.find((m) => has(m) && m.detect(files));
  if (!detected) return { mode: null, modeSource: null, walker: null, problems };
  if (reported !== null && detected.mode !== reported) {
    problems.push(`the dump holds ${detected.mode} rules while kube-proxy reports ${reported}: rules may be left over from an earlier mode`);
  }
  return { mode: detected.mode, modeSource: 'dump', walker: detected.load(files), problems };
}
