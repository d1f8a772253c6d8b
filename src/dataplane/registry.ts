import { iptablesModule } from './iptables/index.ts';
import { ipvsModule } from './ipvs/index.ts';
import { nftablesModule } from './nftables/index.ts';
import { userspaceModule } from './userspace/index.ts';
import type { DataplaneModule, DumpFile } from './types.ts';

/**
 * Every dataplane netpath can read; the only list of modes, in the order files are captured and
 * modes listed. When kube-proxy's mode is unknown, loadDataplane tries them in this order with the
 * `fallback` ones (iptables: any node with KUBE-SERVICES) last.
 */
const modules: DataplaneModule[] = [iptablesModule, nftablesModule, ipvsModule, userspaceModule];

export const DATAPLANES: readonly DataplaneModule[] = modules;

/** Adds a dataplane (a mode folder's module): its files become bundle files, its mode a ProxyMode. */
export function registerDataplane(module: DataplaneModule): void {
  if (modules.some((m) => m.mode === module.mode)) throw new Error(`dataplane mode ${module.mode} is registered twice`);
  modules.push(module);
}

/** The registered modes. */
export const proxyModes = (): string[] => modules.map((m) => m.mode);

export const isProxyMode = (value: string): boolean => modules.some((m) => m.mode === value);

export const dataplaneOf = (mode: string | null): DataplaneModule | null => modules.find((m) => m.mode === mode) ?? null;

/** Every dump file a node directory may hold, once each, in capture order, with its command and parser. */
export function dumpFiles(): DumpFile[] {
  const out = new Map<string, DumpFile>();
  for (const m of modules) for (const d of m.dumps) if (!out.has(d.name)) out.set(d.name, d);
  return [...out.values()];
}
