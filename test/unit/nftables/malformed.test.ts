/** Malformed dumps fail with DumpParseError naming the file, the line when there is one, and the problem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpParseError } from '../../../src/dataplane/errors.ts';
import { parseNftJson, parseNftText } from '../../../src/dataplane/nftables/index.ts';
import { sharedFixture } from './helpers.ts';

const GOOD = sharedFixture('nft-json-TestOverallNFTablesRules.json');

function fails(run: () => unknown, file: string, line: number | null, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof DumpParseError, String(err));
    assert.equal(err.file, file);
    assert.equal(err.line, line);
    assert.match(err.message, message);
    return true;
  });
}

/** The real dump with its objects filtered. */
function without(drop: (item: Record<string, any>) => boolean): string {
  const doc = JSON.parse(GOOD) as { nftables: Record<string, any>[] };
  return JSON.stringify({ nftables: doc.nftables.filter((i) => !drop(i)) });
}

test('invalid and truncated JSON', () => {
  fails(() => parseNftJson('{"nftables": [ {"table": {"family": "ip" "name": "kube-proxy"}} ]}'), 'nft.json', 1, /^nft\.json:1: invalid JSON at column 42 \(position 41\): Expected ',' or '}' after property value$/);
  // The real dump cut in the middle (it is one line, as nft -j prints it).
  fails(() => parseNftJson(GOOD.slice(0, Math.floor(GOOD.length / 2))), 'nft.json', 1, /truncated JSON/);
  fails(() => parseNftJson(''), 'nft.json', 1, /the file is empty/);
  // A multi-line document: the line where parsing stopped; where V8 names no position, the shortest
  // prefix that fails places it: `{\n"nftables": [\n{"table": ` is 11 + 14 = 25 characters + 1.
  fails(() => parseNftJson('{\n"nftables": [\n{"table": "x" "y"}\n]}', 'node1/nft.json'), 'node1/nft.json', 3, /invalid JSON at column 15 \(position 30\)/);
  fails(() => parseNftJson('{\n"nftables": [\n{"table": }\n]}', 'node1/nft.json'), 'node1/nft.json', 3, /invalid JSON at column 11 \(position 26\): Unexpected token '}'/);
});

test('JSON that is not `nft -j list ruleset` output', () => {
  fails(() => parseNftJson('{"ruleset": []}'), 'nft.json', 1, /no top-level "nftables" array/);
  fails(() => parseNftJson('[]'), 'nft.json', 1, /no top-level "nftables" array/);
  fails(() => parseNftJson('{"nftables": [{"table": {"family": "ip"}}]}'), 'nft.json', null, /nftables\[0\]: missing "name"/);
});

test('a rule in a chain the dump does not declare, or a jump to one', () => {
  fails(
    () => parseNftJson(without((i) => i.chain?.name === 'reject-chain')),
    'nft.json',
    null,
    /rule \(handle 60\) "reject" of ip kube-proxy is in chain "reject-chain", which ip kube-proxy does not declare/,
  );
  fails(
    () => parseNftJson(without((i) => i.chain?.name === 'mark-for-masquerade' || i.rule?.chain === 'mark-for-masquerade')),
    'nft.json',
    null,
    /jumps to chain "mark-for-masquerade", which ip kube-proxy does not declare/,
  );
  fails(() => parseNftJson(without((i) => i.map?.name === 'service-ips')), 'nft.json', null, /uses @service-ips, which ip kube-proxy does not declare/);
});

test('text dumps: undeclared chain, unclosed block, bad priority, unterminated string', () => {
  fails(() => parseNftText('add table ip kube-proxy\nadd chain ip kube-proxy services\nadd rule ip kube-proxy nat-prerouting jump services\n', 'x.nft'), 'x.nft', 3, /is in chain "nat-prerouting", which ip kube-proxy does not declare/);
  const k3s = sharedFixture('nftables-real-k3s-nft-list-table.nft');
  // Cut after line 40: the table block (and chain external-P6J77WGM...) never closes.
  fails(() => parseNftText(k3s.split('\n').slice(0, 40).join('\n'), 'k3s.nft'), 'k3s.nft', 40, /input ends inside chain external-P6J77WGM-riset\/hellopod-np-svc\/tcp\/: missing "}"/);
  fails(() => parseNftText('table ip t {\n chain c {\n  type filter hook input priority bogus; policy accept;\n }\n}\n', 'x.nft'), 'x.nft', 3, /unknown priority "bogus" for chain c/);
  fails(() => parseNftText('table ip t {\n comment "open\n}\n', 'x.nft'), 'x.nft', 2, /unterminated string/);
  fails(() => parseNftText('list ruleset\n', 'x.nft'), 'x.nft', 1, /unsupported statement "list"/);
});
