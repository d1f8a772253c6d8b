import { readFileSync } from 'node:fs';
import type { Protocol } from '../../../src/model/packet.ts';
import type { WalkOutcome, WalkPacket } from '../../../src/dataplane/types.ts';

/** Fixtures shared by the project (test/fixtures) and the nftables ones (./fixtures). */
export const sharedFixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
export const localFixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

export function packet(src: string, dst: string, port: number, hook: WalkPacket['hook'] = 'prerouting', protocol: Protocol = 'TCP'): WalkPacket {
  return { src, dst, port, protocol, hook };
}

/** [verdict, probability, dnat ip, dnat port, masquerade] per outcome. */
export const summary = (os: WalkOutcome[]) => os.map((o) => [o.verdict, o.probability, o.dnat?.ip ?? null, o.dnat?.port ?? null, o.masquerade]);

export const chains = (o: WalkOutcome): string[] => o.steps.map((s) => s.chain);

export const total = (os: WalkOutcome[]): number => os.reduce((a, o) => a + o.probability, 0);
