import { iptablesModule } from './iptables/index.ts';
import { ipvsModule } from './ipvs/index.ts';
import { nftablesModule } from './nftables/index.ts';
import { userspaceModule } from './userspace/index.ts';
import type { DataplaneModule } from './types.ts';

/**
 * Every dataplane netpath can read. Order matters when kube-proxy's mode is unknown: the first
 * module whose detect() accepts the node's files wins, so more specific ones come first
 * (IPVS and userspace nodes carry an iptables-save.txt too).
 */
export const DATAPLANES: readonly DataplaneModule[] = [nftablesModule, ipvsModule, userspaceModule, iptablesModule];
