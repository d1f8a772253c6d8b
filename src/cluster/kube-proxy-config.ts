import { parse as parseYaml } from 'yaml';
import type { KubeProxyConfig } from '../model/cluster.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/**
 * Reads the fields that change forwarding from a KubeProxyConfiguration (the `config.conf` key
 * of kube-system/kube-proxy). Field locations moved between releases (masqueradeAll and
 * localhostNodePorts live under `iptables:` in v1alpha1, some at the top level later), so both
 * places are read. Throws on YAML that does not parse; the caller names the file.
 */
export function parseKubeProxyConfig(yamlText: string, source: string): KubeProxyConfig {
  const doc: unknown = parseYaml(yamlText);
  if (!isObj(doc)) throw new Error('config.conf is not a KubeProxyConfiguration mapping');
  const iptables = isObj(doc.iptables) ? doc.iptables : {};
  const nftables = isObj(doc.nftables) ? doc.nftables : {};
  const ipvs = isObj(doc.ipvs) ? doc.ipvs : {};
  const config: KubeProxyConfig = { source };
  const mode = str(doc.mode);
  if (mode) config.mode = mode;
  const clusterCIDR = str(doc.clusterCIDR);
  if (clusterCIDR) config.clusterCIDR = clusterCIDR;
  const detect = str(doc.detectLocalMode);
  if (detect) config.detectLocalMode = detect;
  const masq = bool(doc.masqueradeAll) ?? bool(iptables.masqueradeAll) ?? bool(nftables.masqueradeAll);
  if (masq !== undefined) config.masqueradeAll = masq;
  if (Array.isArray(doc.nodePortAddresses)) config.nodePortAddresses = doc.nodePortAddresses.map(String);
  const lnp = bool(iptables.localhostNodePorts);
  if (lnp !== undefined) config.localhostNodePorts = lnp;
  const sched = str(ipvs.scheduler);
  if (sched) config.ipvsScheduler = sched;
  const section = mode === 'nftables' ? nftables : mode === 'ipvs' ? ipvs : iptables;
  const period = goDuration(str(doc.syncPeriod) ?? str(section.syncPeriod));
  if (period !== undefined) config.syncPeriodSeconds = period;
  if (isObj(doc.featureGates)) {
    config.featureGates = Object.fromEntries(
      Object.entries(doc.featureGates).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'),
    );
  }
  return config;
}

/** The ConfigMap as `kubectl get configmap kube-proxy -o json` prints it. */
export function kubeProxyConfigFromConfigMap(configMap: unknown, source: string): KubeProxyConfig {
  const data = isObj(configMap) && isObj(configMap.data) ? configMap.data : null;
  const text = data ? str(data['config.conf']) : undefined;
  if (!text) throw new Error("ConfigMap has no data['config.conf']");
  return parseKubeProxyConfig(text, source);
}

/** A Go time.Duration as metav1.Duration prints it (`30s`, `1m0s`, `1h2m3.5s`); undefined otherwise. */
function goDuration(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
