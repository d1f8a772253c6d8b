import type { RealServer, VirtualService } from './model.ts';

/**
 * How a share was obtained:
 * - `exact`: rr, wrr: a fixed cycle over the weights.
 * - `converged`: lc, wlc, sed, nq: the split the scheduler converges to when connections last
 *   equally long; the next pick depends on live connection counts.
 * - `hash`: sh, dh, mh: the real server is a function of the client (sh, mh) or destination
 *   (dh) address; the share is the fraction of the hash table each real server owns.
 * - `unknown`: a scheduler netpath does not model (or none in the dump): an equal split is assumed.
 */
export type ShareBasis = 'exact' | 'converged' | 'hash' | 'unknown';

export interface RealServerShare {
  server: RealServer;
  /** Probability that a new connection (no persistence template) goes to this server. */
  share: number;
  /** Weight 0: quiesced by kube-proxy's graceful termination; no new connections. */
  draining: boolean;
  conditions: string[];
}

export interface SchedulerShares {
  scheduler: string | null;
  basis: ShareBasis;
  /** The share depends on run-time state: connection counts, client addresses, persistence. */
  dynamic: boolean;
  /** One entry per real server, in dump order. */
  shares: RealServerShare[];
  /** Probability that no real server is chosen: the kernel answers ICMP port unreachable. */
  noDestination: number;
  /** Conditions of the whole service (persistence, hash basis, assumed weights). */
  conditions: string[];
}

/** IP_VS_SH_TAB_SIZE and IP_VS_DH_TAB_SIZE (1 << 8) in ip_vs_sh.c / ip_vs_dh.c. */
const HASH_BUCKETS = 256;

/**
 * Share of new connections per real server for one virtual service, from the kernel's
 * schedulers (net/netfilter/ipvs/ip_vs_*.c). Pure: depends on the VS and its real servers only.
 */
export function schedulerShares(vs: VirtualService): SchedulerShares {
  const scheduler = vs.scheduler;
  const conditions: string[] = [];
  if (vs.realServers.some((r) => r.weight === null)) {
    conditions.push('weights not in the dump (--stats/--rate listing): weight 1 assumed, as kube-proxy sets');
  }
  const weight = (r: RealServer): number => r.weight ?? 1;
  const live = vs.realServers.filter((r) => weight(r) > 0);
  let result: Omit<SchedulerShares, 'scheduler'>;
  switch (scheduler) {
    case 'rr':
      // ip_vs_rr: next server in the list with weight > 0.
      result = split(vs, () => 1, 'exact', false);
      break;
    case 'wrr':
      // ip_vs_wrr: over one cycle each server is picked weight/gcd times.
      result = split(vs, weight, 'exact', false);
      break;
    case 'lc':
      // ip_vs_lc: fewest (active, inactive) connections, weight only excludes 0.
      result = split(vs, () => 1, 'converged', true);
      break;
    case 'wlc':
    case 'sed':
    case 'nq':
      // ip_vs_wlc: overhead/weight; ip_vs_sed: (active+1)/weight; ip_vs_nq: an idle server
      // first, else as sed. Equal connection lengths make each converge to weight/sum.
      result = split(vs, weight, 'converged', true);
      break;
    case 'sh':
    case 'dh':
      result = hashTable(vs, weight, scheduler);
      break;
    case 'mh':
      result = maglev(vs, weight);
      break;
    default:
      result = split(vs, () => 1, 'unknown', true);
      conditions.push(
        scheduler === null
          ? 'scheduler not in the dump: an equal split over real servers with weight > 0 is assumed'
          : `scheduler ${scheduler} is not modelled: an equal split over real servers with weight > 0 is assumed`,
      );
  }
  if (result.basis === 'converged' && live.some((r) => r.activeConns !== null)) {
    conditions.push(`${scheduler} picks by live connection counts; the shares are what it converges to under steady load`);
  }
  if (vs.persistence) {
    conditions.push(
      `persistent ${vs.persistence.timeout}: a client that connected in the last ${vs.persistence.timeout} s returns to the same real server; shares are for new clients`,
    );
  }
  return {
    scheduler,
    ...result,
    dynamic: result.dynamic || vs.persistence !== null,
    conditions: [...conditions, ...result.conditions],
  };
}

function drainingNote(r: RealServer): string[] {
  return r.weight === 0 ? ['draining (weight 0): no new connections; established connections continue'] : [];
}

/** Share proportional to `w` among real servers with weight > 0; weight 0 gets nothing. */
function split(
  vs: VirtualService,
  w: (r: RealServer) => number,
  basis: ShareBasis,
  dynamic: boolean,
): Omit<SchedulerShares, 'scheduler'> {
  const isLive = (r: RealServer) => (r.weight ?? 1) > 0;
  const total = vs.realServers.filter(isLive).reduce((s, r) => s + w(r), 0);
  const shares = vs.realServers.map((r) => ({
    server: r,
    share: isLive(r) && total > 0 ? w(r) / total : 0,
    draining: r.weight === 0,
    conditions: drainingNote(r),
  }));
  return { basis, dynamic, shares, noDestination: total > 0 ? 0 : 1, conditions: [] };
}

/**
 * sh / dh: a 256-bucket table filled in the kernel's real-server order, each server taking
 * `weight` consecutive buckets per round (a weight-0 server still takes one: the `++d_count >=
 * weight` test in ip_vs_sh_reassign). A bucket of a weight-0 server yields no destination
 * unless the `sh-fallback` flag re-hashes. Which server is first in the kernel's order is not
 * in the dump (ipvsadm sorts its listing; kube-proxy adds real servers in map order), so the
 * few leftover buckets of the last round are counted in dump order.
 */
function hashTable(vs: VirtualService, w: (r: RealServer) => number, scheduler: 'sh' | 'dh'): Omit<SchedulerShares, 'scheduler'> {
  const servers = vs.realServers;
  const counts = new Map<RealServer, number>(servers.map((r) => [r, 0]));
  if (servers.length > 0) {
    let i = 0;
    let filled = 0;
    for (let b = 0; b < HASH_BUCKETS; b++) {
      const r = servers[i]!;
      counts.set(r, counts.get(r)! + 1);
      if (++filled >= w(r)) {
        i = (i + 1) % servers.length;
        filled = 0;
      }
    }
  }
  const fallback = vs.flags.includes(`${scheduler}-fallback`);
  const deadBuckets = servers.filter((r) => w(r) <= 0).reduce((s, r) => s + counts.get(r)!, 0);
  const liveBuckets = HASH_BUCKETS - deadBuckets;
  const shares = servers.map((r) => {
    const own = w(r) > 0 ? counts.get(r)! : 0;
    // With fallback, a client whose bucket is dead is re-hashed onto the live buckets.
    const share = servers.length === 0 || liveBuckets === 0 ? 0 : fallback ? own / liveBuckets : own / HASH_BUCKETS;
    return { server: r, share, draining: r.weight === 0, conditions: drainingNote(r) };
  });
  const what = scheduler === 'sh' ? 'source (client) address' : 'destination address';
  const conditions = [
    `${scheduler} hashes the ${what}${vs.flags.includes(`${scheduler}-port`) ? ' and port' : ''} into a ${HASH_BUCKETS}-bucket table: the same ${
      scheduler === 'sh' ? 'client' : 'destination'
    } always reaches the same real server while the real servers do not change; shares are bucket fractions, i.e. for many ${
      scheduler === 'sh' ? 'clients' : 'destinations'
    } spread evenly`,
    'which real server a given address reaches is not computable from the dump: the kernel fills the table in its internal real-server order, which ipvsadm does not show (it sorts), and the hash changed across kernel versions',
  ];
  if (scheduler === 'dh') conditions.push('every connection to one virtual address hashes alike: one real server takes all of them');
  if (deadBuckets > 0 && !fallback) {
    conditions.push(`${deadBuckets} of ${HASH_BUCKETS} buckets belong to weight-0 real servers: clients hashing there get no destination (no ${scheduler}-fallback flag)`);
  }
  return {
    basis: 'hash',
    dynamic: true,
    shares,
    noDestination: servers.length === 0 || liveBuckets === 0 ? 1 : fallback ? 0 : deadBuckets / HASH_BUCKETS,
    conditions,
  };
}

/**
 * mh (Maglev, ip_vs_mh.c): each real server owns about weight/sum of a 4093-slot table.
 * Quiesced (weight 0) servers keep their slots (the table uses last_weight), so clients hashing
 * there get no destination unless `mh-fallback` is set; kube-proxy sets only `mh-port`.
 */
function maglev(vs: VirtualService, w: (r: RealServer) => number): Omit<SchedulerShares, 'scheduler'> {
  const servers = vs.realServers;
  const fallback = vs.flags.includes('mh-fallback');
  // last_weight of a weight-0 server is not in the dump; kube-proxy only ever sets weight 1.
  const slotWeight = (r: RealServer) => (w(r) > 0 ? w(r) : 1);
  const total = servers.reduce((s, r) => s + slotWeight(r), 0);
  const liveTotal = servers.filter((r) => w(r) > 0).reduce((s, r) => s + w(r), 0);
  const shares = servers.map((r) => ({
    server: r,
    share: w(r) <= 0 || liveTotal === 0 ? 0 : fallback ? w(r) / liveTotal : w(r) / total,
    draining: r.weight === 0,
    conditions: drainingNote(r),
  }));
  const dead = total - liveTotal;
  const conditions = [
    `mh hashes the source address${vs.flags.includes('mh-port') ? ' and port' : ''} into a Maglev table: shares are approximate table fractions (about weight/sum)`,
    'which real server a given client reaches is not computable from the dump (keyed hash over the kernel-internal real-server order)',
  ];
  if (dead > 0 && !fallback) {
    conditions.push('weight-0 real servers keep their Maglev slots (last weight assumed 1): clients hashing there get no destination (no mh-fallback flag)');
  }
  return {
    basis: 'hash',
    dynamic: true,
    shares,
    noDestination: liveTotal === 0 ? 1 : fallback ? 0 : dead / total,
    conditions,
  };
}
