import type { Protocol } from '../../model/packet.ts';

/** How IPVS forwards to a real server (ipvsadm's Forward column; `-m`, `-g`, `-i` in save format). */
export type ForwardMethod = 'Masq' | 'Route' | 'Tunnel' | 'Local';

/** Counters from `ipvsadm -Ln --stats` (Conns, InPkts, OutPkts, InBytes, OutBytes). */
export interface IpvsStats {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

/** Rates from `ipvsadm -Ln --rate` (CPS, InPPS, OutPPS, InBPS, OutBPS). */
export interface IpvsRate {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export interface RealServer {
  address: string;
  port: number;
  /** null when the dump did not show it (a --stats/--rate-only listing). */
  forward: ForwardMethod | null;
  weight: number | null;
  activeConns: number | null;
  inactiveConns: number | null;
  stats: IpvsStats | null;
  rate: IpvsRate | null;
  /** 1-based line in the dump and its text, for evidence. */
  line: number;
  text: string;
}

export interface VirtualService {
  /** `TCP 10.96.0.1:443`, `UDP [fd00::a]:53` or `FWM 7` (plus ` IPv6`): unique per table. */
  key: string;
  /** null for firewall-mark services. */
  protocol: Protocol | null;
  address: string | null;
  port: number | null;
  fwmark: number | null;
  family: 4 | 6;
  /** null when only a --stats/--rate listing was given. */
  scheduler: string | null;
  /** Scheduler flags as ipvsadm names them (`sh-port`, `mh-fallback`, `flag-1`...), plus `ops`. */
  flags: string[];
  /** `-p N` / `persistent N`: ClientIP session affinity with timeout N seconds. */
  persistence: { timeout: number; netmask: string | null } | null;
  realServers: RealServer[];
  stats: IpvsStats | null;
  rate: IpvsRate | null;
  line: number;
  text: string;
}

export interface IpvsTable {
  file: string;
  format: 'save' | 'list';
  services: VirtualService[];
}
