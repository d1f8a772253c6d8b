// Rendering krew/netpath.yaml.tmpl (scripts/release/manifest.ts): the real template, made-up sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { renderManifest } from '../../../scripts/release/manifest.ts';
import type { Platform } from '../../../scripts/release/manifest.ts';

const template = readFileSync('krew/netpath.yaml.tmpl', 'utf8');
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

interface Manifest {
  spec: { version: string; platforms: { selector: { matchLabels: { os: string; arch: string } }; uri: string; sha256: string; bin: string }[] };
}

test('each built platform gets its own sum and versioned uri; the others are left out', () => {
  const sums = new Map<Platform, string>([['linux/amd64', A], ['darwin/arm64', B]]);
  const out = renderManifest(template, '1.2.3', sums, ' header line');
  const m = parse(out) as Manifest;
  assert.equal(m.spec.version, 'v1.2.3');
  assert.deepEqual(
    m.spec.platforms.map((p) => [p.selector.matchLabels.os, p.selector.matchLabels.arch, p.sha256, p.uri.split('/').slice(-2).join('/'), p.bin]),
    [
      ['linux', 'amd64', A, 'v1.2.3/kubectl-netpath_linux_amd64.tar.gz', 'kubectl-netpath'],
      ['darwin', 'arm64', B, 'v1.2.3/kubectl-netpath_darwin_arm64.tar.gz', 'kubectl-netpath'],
    ],
  );
  assert.ok(out.startsWith('# header line\n'), out.slice(0, 80));
  assert.doesNotMatch(out, /Template of the krew plugin manifest/);
});

test('nothing built: an error, not a manifest without platforms', () => {
  assert.throws(() => renderManifest(template, '1.2.3', new Map(), ''), /no platform was built/);
});
