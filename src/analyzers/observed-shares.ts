import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { eachRule } from '../dataplane/iptables/dump-chain.ts';
import type { IptablesDump } from '../dataplane/iptables/model.ts';
import type { IpvsTable, RealServer, VirtualService } from '../dataplane/ipvs/model.ts';
import type { ConntrackEntry } from '../dataplane/node-state/conntrack.ts';
import type { Finding } from '../model/finding.ts';
import type { Protocol } from '../model/packet.ts';
import type { PathReport } from '../model/results.ts';
import { chiSquareTest } from './chi-square.ts';
import type { ChiSquareResult } from './chi-square.ts';

/** One node's observations: its conntrack entries, its iptables dump with -c counters, its IPVS listings. */
export interface NodeObservation {
  node: string;
  conntrack: { entries: readonly ConntrackEntry[]; file: string } | null;
  iptables: IptablesDump | null;
  /** IPVS mode: `ipvsadm -Ln --stats --exact` (Conns per real server) and `ipvsadm -Ln` (ActiveConn, InActConn). */
  ipvs?: { stats: IpvsTable | null; connections: IpvsTable | null };
}

export interface ObservedEndpoint {
  ip: string;
  port: number;
  pod: string | null;
  /** Share the rules give this endpoint for new connections (ClusterIP path of this node). */
  predicted: number;
  /**
   * New connections the rules counted for it: the packets of its KUBE-SEP DNAT rule (iptables,
   * since the rule was written) or the Conns of its IPVS real servers in the service's virtual
   * servers (since kube-proxy added each real server).
   */
  ruleCounter: number | null;
  /** IPVS mode: its connection entries now in the service's virtual servers (ESTABLISHED; any other state). */
  ipvsConnections: { active: number; inactive: number } | null;
  /** Conntrack entries of the service's addresses translated to this endpoint, by state. */
  conntrack: { entries: number; states: Record<string, number> };
}

export interface ObservedPort {
  node: string;
  port: number;
  protocol: Protocol;
  endpoints: ObservedEndpoint[];
  /** Goodness of fit of the rule counters to the predicted shares (null without counters). */
  counterFit: ChiSquareResult | null;
  /** The same for conntrack entries: connections alive now, so long-lived ones weigh more. */
  conntrackFit: ChiSquareResult | null;
  since: string;
  /** Why observed and predicted differ, when they do (p < SIGNIFICANCE). */
  cause: string | null;
}

export interface StaleConntrack {
  node: string;
  protocol: Protocol;
  address: string;
  port: number;
  /** The translated destination that is no longer an endpoint. */
  endpoint: string;
  entries: number;
  /** Deletes exactly these entries; printed, never run. */
  command: string;
}

export interface Observed {
  ports: ObservedPort[];
  stale: StaleConntrack[];
  findings: Finding[];
}

/** Below this p-value the observation is reported as differing from the prediction. */
export const SIGNIFICANCE = 0.01;

const SINCE =
  'rule counters: new connections since kube-proxy last wrote the rule (it rewrites a service\'s chains when its endpoints change and all chains at each full resync); conntrack: connections alive at the reading';

const SINCE_IPVS =
  'IPVS Conns: new connections scheduled to each real server since kube-proxy added it (it keeps a real server while the endpoint stays); ActiveConn/InActConn: IPVS connection entries now; conntrack: connections alive at the reading';

/**
 * Observed against predicted, per node and service port, for the nodes that carry conntrack or
 * counters; and conntrack entries whose translated destination is no longer an endpoint.
 */
export function observedShares(service: V1Service, slices: readonly V1EndpointSlice[], paths: readonly PathReport[], nodes: readonly NodeObservation[]): Observed {
  const ns = service.metadata?.namespace ?? '';
  const name = service.metadata?.name ?? '';
  const addresses = new Set([...(service.spec?.clusterIPs ?? []), ...(service.spec?.externalIPs ?? []), ...(service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '')].filter(Boolean));
  const current = new Set<string>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      // An endpoint kube-proxy still sends to: ready (unset means ready) or serving while terminating.
      if (e.conditions?.ready === false && e.conditions?.serving !== true) continue;
      for (const a of e.addresses ?? []) for (const p of s.ports ?? []) current.add(`${a}:${p.port}`);
    }
  }
  const ports: ObservedPort[] = [];
  const stale: StaleConntrack[] = [];
  const findings: Finding[] = [];
  for (const obs of nodes) {
    if (!obs.conntrack && !obs.iptables?.hasRuleCounters && !obs.ipvs) continue;
    for (const sp of service.spec?.ports ?? []) {
      // Reported as the Service spells it; conntrack names protocols in lower case.
      const protocol = (sp.protocol ?? 'TCP') as Protocol;
      const ct = protocol.toLowerCase();
      const mine = (obs.conntrack?.entries ?? []).filter(
        (e) => e.protocol === ct && addresses.has(e.original.dst) && e.original.dport === sp.port,
      );
      // Stale: translated (reply source differs from the address asked for) to what is no longer an endpoint.
      const staleBy = new Map<string, ConntrackEntry[]>();
      for (const e of mine) {
        const to = `${e.reply.src}:${e.reply.sport}`;
        if (e.reply.src !== e.original.dst && !current.has(to) && mattersWhenStale(e)) staleBy.set(`${e.original.dst}\0${to}`, [...(staleBy.get(`${e.original.dst}\0${to}`) ?? []), e]);
      }
      for (const [key, entries] of staleBy) {
        const [address, to] = key.split('\0') as [string, string];
        const [ip, port] = splitHostPort(to);
        stale.push({
          node: obs.node, protocol, address, port: sp.port, endpoint: to, entries: entries.length,
          command: `conntrack -D -p ${ct} --orig-dst ${address} --orig-port-dst ${sp.port} --reply-src ${ip} --reply-port-src ${port}`,
        });
      }

      const path = paths.find((p) => p.entry === 'ClusterIP' && p.node === obs.node && p.port === sp.port && p.protocol === protocol);
      const predicted = new Map<string, { p: number; pod: string | null }>();
      for (const o of path?.outcomes ?? []) {
        if (o.verdict !== 'DNAT' || !o.endpoint) continue;
        const k = `${o.endpoint.ip}:${o.endpoint.port}`;
        predicted.set(k, { p: (predicted.get(k)?.p ?? 0) + o.probability, pod: o.endpoint.pod });
      }
      if (predicted.size === 0) continue;
      // IPVS: the virtual servers of this port (ClusterIP, external and LB IPs, NodePort on each node address).
      const ofThisPort = (vs: VirtualService) =>
        vs.fwmark === null && vs.protocol?.toLowerCase() === ct && ((addresses.has(vs.address ?? '') && vs.port === sp.port) || (!!sp.nodePort && vs.port === sp.nodePort));
      const ipvsStats = obs.ipvs?.stats ? obs.ipvs.stats.services.filter(ofThisPort).flatMap((vs) => vs.realServers) : null;
      const ipvsConnections = obs.ipvs?.connections ? obs.ipvs.connections.services.filter(ofThisPort).flatMap((vs) => vs.realServers) : null;
      const counters = ipvsStats ? conns(ipvsStats) : ruleCounters(obs.iptables, `${ns}/${name}:${sp.name ?? ''}`);
      const endpoints: ObservedEndpoint[] = [...predicted].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => {
        const [ip, port] = splitHostPort(k);
        const here = mine.filter((e) => `${e.reply.src}:${e.reply.sport}` === k);
        const states: Record<string, number> = {};
        for (const e of here) states[e.state ?? (e.flags.includes('UNREPLIED') ? 'UNREPLIED' : 'REPLIED')] = (states[e.state ?? (e.flags.includes('UNREPLIED') ? 'UNREPLIED' : 'REPLIED')] ?? 0) + 1;
        const live = ipvsConnections?.filter((r) => `${r.address}:${r.port}` === k);
        return {
          ip, port, pod: v.pod, predicted: v.p, ruleCounter: counters ? (counters.get(k) ?? 0) : null,
          ipvsConnections: live ? { active: sum(live.map((r) => r.activeConns ?? 0)), inactive: sum(live.map((r) => r.inactiveConns ?? 0)) } : null,
          conntrack: { entries: here.length, states },
        };
      });
      // Nothing seen (no connection since the counters started, none alive): nothing to compare.
      if (endpoints.every((e) => !e.ruleCounter && e.conntrack.entries === 0 && !e.ipvsConnections?.active && !e.ipvsConnections?.inactive)) continue;
      const probs = endpoints.map((e) => e.predicted);
      const fit = (counts: number[]) => (counts.reduce((a, b) => a + b, 0) > 0 ? chiSquareTest(counts, normalize(probs)) : null);
      const counterFit = counters ? fit(endpoints.map((e) => e.ruleCounter ?? 0)) : null;
      const conntrackFit = obs.conntrack ? fit(endpoints.map((e) => e.conntrack.entries)) : null;
      const differs = [counterFit, conntrackFit].some((f) => f !== null && f.pValue < SIGNIFICANCE);
      const cause = differs ? causeOf(service, counterFit, conntrackFit, staleBy.size > 0) : null;
      ports.push({ node: obs.node, port: sp.port, protocol, endpoints, counterFit, conntrackFit, since: obs.ipvs ? SINCE_IPVS : SINCE, cause });
      if (cause) {
        findings.push({
          id: 'observed-shares-differ',
          severity: 'warning',
          message: `${obs.node} ${sp.port}/${protocol}: observed shares differ from the predicted ones (${fitText('counters', counterFit)}${fitText('conntrack', conntrackFit)}): ${cause}`,
          evidence: [{ kind: 'node', node: obs.node, detail: obs.conntrack?.file ?? (ipvsStats ? `${obs.ipvs!.stats!.file} Conns` : 'iptables-save.txt counters') }],
          remediation: 'Compare per endpoint in -o json (observed.ports); counters count new connections only, conntrack the ones alive now.',
        });
      }
    }
  }
  for (const s of stale) {
    findings.push({
      id: 'stale-conntrack',
      severity: 'warning',
      message: `${s.node}: ${s.entries} ${s.protocol} conntrack entr${s.entries === 1 ? 'y' : 'ies'} for ${s.address}:${s.port} still translate to ${s.endpoint}, which is no longer an endpoint of ${ns}/${name}: ${s.protocol === 'UDP' ? 'UDP replies go on to the old address (black hole) until the entries time out or are deleted' : 'those connections fail'}. Clear exactly them with: ${s.command}`,
      evidence: [{ kind: 'node', node: s.node, detail: `conntrack entries translated to ${s.endpoint}` }],
      remediation: `Run on ${s.node} (netpath never runs it): ${s.command}. kube-proxy clears these itself after a sync; entries left behind mean kube-proxy on ${s.node} has not synced since the endpoint left.`,
    });
  }
  return { ports, stale, findings };
}

/**
 * UDP and SCTP entries keep steering new datagrams to the old address (kube-proxy deletes them
 * itself after a sync); a TCP entry matters only while the connection is being set up or open:
 * TIME_WAIT and closing states are history.
 */
function mattersWhenStale(e: ConntrackEntry): boolean {
  if (e.protocol !== 'tcp') return true;
  return e.state === 'ESTABLISHED' || e.state === 'SYN_SENT' || e.state === 'SYN_RECV';
}

/** Packets of each KUBE-SEP DNAT rule of one service port (`--comment "ns/name:port"`), by destination. */
function ruleCounters(dump: IptablesDump | null, comment: string): Map<string, number> | null {
  if (!dump?.hasRuleCounters) return null;
  const out = new Map<string, number>();
  for (const t of dump.tables.filter((t) => t.name === 'nat')) {
    for (const c of t.chains.filter((c) => c.name.startsWith('KUBE-SEP-'))) {
      // Looked at, not kept: a big dump has a KUBE-SEP chain per endpoint.
      eachRule(c, (r) => {
        const dest = /--to-destination (\S+)/.exec(r.text)?.[1];
        const com = /--comment "?([^"\s]+)"?/.exec(r.text)?.[1];
        if (r.target?.name !== 'DNAT' || !dest || com !== comment) return;
        out.set(dest, (out.get(dest) ?? 0) + Number(r.counters?.packets ?? 0n));
      });
    }
  }
  return out;
}

/**
 * Conns of each real server summed over the port's virtual servers, by `ip:port` (ipvsadm's
 * IPv6 brackets are gone after parsing, as in endpoint keys). Only endpoints are looked up, so
 * another service's virtual server on the same port number (a ClusterIP port equal to this
 * NodePort) adds nothing unless it has the same endpoints.
 */
function conns(servers: readonly RealServer[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of servers) out.set(`${r.address}:${r.port}`, (out.get(`${r.address}:${r.port}`) ?? 0) + (r.stats?.conns ?? 0));
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function causeOf(service: V1Service, counters: ChiSquareResult | null, conntrack: ChiSquareResult | null, stale: boolean): string {
  if (service.spec?.sessionAffinity === 'ClientIP') return 'session affinity (ClientIP) sends each client to one endpoint: shares follow the clients, not the connections.';
  if (stale) return 'conntrack still holds entries to an address that is no longer an endpoint (stale state, see stale-conntrack).';
  if (conntrack && conntrack.pValue < SIGNIFICANCE && (!counters || counters.pValue >= SIGNIFICANCE)) {
    return 'new connections are spread as predicted, but the connections alive now are not: a few long-lived (keep-alive) connections pin their endpoints.';
  }
  return 'the rules spread new connections unevenly since the counters started: the rules or endpoints may have changed in between (iptables counters restart when kube-proxy rewrites a chain, IPVS ones when it re-adds a real server), or too few connections were counted to judge.';
}

const fitText = (what: string, f: ChiSquareResult | null) => (f ? `${what} chi-square ${f.statistic.toFixed(2)}, df ${f.degreesOfFreedom}, p ${f.pValue.toPrecision(2)}; ` : '');
const normalize = (ps: number[]) => {
  const total = ps.reduce((a, b) => a + b, 0);
  return ps.map((p) => p / total);
};
function splitHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i), Number(s.slice(i + 1))];
}
