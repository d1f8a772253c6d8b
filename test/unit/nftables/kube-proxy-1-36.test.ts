// kube-proxy 1.36's nftables layout on a real dump (test/fixtures/nft-json-kube-proxy-v1.36.3-clusterip.md):
// one `dnat ... to numgen random mod 3 map { i : IP . PORT }` rule picks the endpoint (1/3 each by
// numgen), and hairpin traffic is masqueraded through @hairpin-connections in `masquerading`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nftablesModule } from '../../../src/dataplane/nftables/index.ts';

const walker = nftablesModule.load(new Map([['nft.json', readFileSync('test/fixtures/nft-json-kube-proxy-v1.36.3-clusterip.json', 'utf8')]]));
const host = { localAddresses: ['10.240.0.11'] };
const walk = (src: string, protocol: 'TCP' | 'UDP', port: number) =>
  walker.walk({ src, dst: '10.96.207.177', port, protocol, hook: 'prerouting' }, host);

test('a pod reaches each of the 3 endpoints with 1/3 through the DNAT map, without SNAT', () => {
  for (const [protocol, port] of [['TCP', 80], ['UDP', 81]] as const) {
    const out = walk('10.244.1.9', protocol, port);
    assert.deepEqual(out.map((o) => [o.verdict, o.dnat?.ip, o.dnat?.port, o.masquerade]).sort(), [
      ['DNAT', '10.244.1.2', 8080, false],
      ['DNAT', '10.244.2.2', 8080, false],
      ['DNAT', '10.244.3.2', 8080, false],
    ]);
    for (const o of out) assert.ok(Math.abs(o.probability - 1 / 3) < 1e-9);
    assert.ok(out.every((o) => o.steps.some((s) => /dnat ip addr \. port to numgen random mod 3 map/.test(s.rule))));
  }
  assert.deepEqual(walker.notices().filter((n) => /unknown|not evaluated/i.test(n.message)), []);
});

test('hairpin: the local endpoint reaching itself through the service is masqueraded, the others are not', () => {
  const out = walk('10.244.1.2', 'TCP', 80);
  const self = out.find((o) => o.dnat?.ip === '10.244.1.2');
  assert.equal(self?.masquerade, true, 'ct status dnat + @hairpin-connections element 10.244.1.2 . 10.244.1.2 . tcp . 8080');
  assert.ok(self?.steps.some((s) => s.chain === 'masquerading' && /hairpin-connections/.test(s.rule)));
  for (const o of out.filter((x) => x.dnat?.ip !== '10.244.1.2')) assert.equal(o.masquerade, false, o.dnat?.ip);
});
