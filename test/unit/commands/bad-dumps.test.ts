// A node file that exists and cannot be parsed is exit 3 with one line naming the file and the
// line, for every dump kind a bundle holds (issue 14: a cut iptables-save.txt or random bytes in
// nft.json used to be replaced by the model, exit 0). Each case damages one file of a temporary
// copy of an example bundle and runs the built CLI (bin/kubectl-netpath) on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const BIN = 'bin/kubectl-netpath';

/** Not UTF-8 text: bytes 0x00..0xff, as random bytes would be (0x00 comes first). */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

interface Case {
  bundle: string;
  service: string;
  /** Path inside the bundle. */
  file: string;
  damage: (original: string) => string | Buffer;
  /** The line the error must name. */
  line: number;
  message: RegExp;
}

const cases: Record<string, Case> = {
  'iptables-save.txt cut mid-line (inside the filter table, no COMMIT)': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-c/iptables-save.txt',
    // Line 16 is `:KUBE-EXTERNAL-SERVICES - [0:0]` (the mangle table ends at line 10, *filter is
    // line 12, then :INPUT, :FORWARD, :OUTPUT): cut after its first 12 characters, ":KUBE-EXTERN".
    damage: (t) => t.split('\n').slice(0, 15).join('\n') + '\n' + t.split('\n')[15]!.slice(0, 12),
    line: 16,
    message: /cannot read ":KUBE-EXTERN".*\(the file's last line: the dump looks cut here\)$/,
  },
  'iptables-save.txt empty': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-c/iptables-save.txt',
    damage: () => '',
    line: 1,
    message: /the file is empty/,
  },
  'iptables-save.txt binary': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-c/iptables-save.txt',
    damage: () => BINARY,
    line: 1,
    message: /binary data \(byte 0x00 at column 1\): not a text dump$/,
  },
  'iptables-save.txt without kube-proxy in it, not a dump at all': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-c/iptables-save.txt',
    damage: () => 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\n',
    line: 1,
    message: /"Chain INPUT \(policy ACCEPT\)" outside a table/,
  },
  'nft.json cut': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-nftables/nft.json',
    // nft -j prints one line; cut after 1000 characters, inside a string.
    damage: (t) => t.slice(0, 1000),
    line: 1,
    message: /truncated JSON \(the file is cut\) at column 1001 \(position 1000\)/,
  },
  'nft.json empty': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-nftables/nft.json',
    damage: () => '',
    line: 1,
    message: /the file is empty/,
  },
  'nft.json binary': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-nftables/nft.json',
    damage: () => BINARY,
    line: 1,
    message: /binary data \(byte 0x00 at column 1\)/,
  },
  'ipvsadm.txt cut mid-line': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipvsadm.txt',
    // Line 1 is `-A -t 1.2.3.4:80 -s rr` (22 characters and a newline); 30 characters end in
    // line 2 at `-a -t 1`.
    damage: (t) => t.slice(0, 30),
    line: 2,
    message: /not a numeric address:port: 1/,
  },
  'ipvsadm.txt empty': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipvsadm.txt',
    damage: () => '',
    line: 1,
    message: /the file is empty/,
  },
  'ipvsadm.txt binary': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipvsadm.txt',
    damage: () => BINARY,
    line: 1,
    message: /binary data/,
  },
  'ipset.txt cut in a header': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipset.txt',
    // The first set's Header line (line 4) cut after 30 characters: the set never reaches "Members:".
    damage: (t) => t.split('\n').slice(0, 3).join('\n') + '\n' + t.split('\n')[3]!.slice(0, 30),
    line: 4,
    message: /set KUBE-LOOP-BACK \(line 1\) ends before its "Members:" line: the listing looks cut/,
  },
  'ipset.txt cut in the members': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipset.txt',
    // KUBE-LOOP-BACK (lines 1-9) says "Number of entries: 1" and lists its member on line 9: cut before it.
    damage: (t) => t.split('\n').slice(0, 8).join('\n') + '\n',
    line: 8,
    message: /set KUBE-LOOP-BACK \(line 1\) lists 0 of the 1 members its header counts: the listing looks cut/,
  },
  'ipset.txt empty': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipset.txt',
    damage: () => '\n',
    line: 1,
    message: /the file is empty/,
  },
  'ipset.txt binary': {
    bundle: 'examples/mixed-modes',
    service: 'ns2/svc2',
    file: 'nodes/node-ipvs/ipset.txt',
    damage: () => BINARY,
    line: 1,
    message: /binary data/,
  },
  'proxy-mode empty': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-b/proxy-mode',
    damage: () => '',
    line: 1,
    message: /the file is empty/,
  },
  'proxy-mode binary': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-b/proxy-mode',
    damage: () => BINARY,
    line: 1,
    message: /binary data/,
  },
  'proxy-mode not the answer of /proxyMode (an HTML error page)': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-b/proxy-mode',
    damage: () => '<html>\n<body>404 page not found</body>\n</html>\n',
    line: 2,
    message: /expected one word/,
  },
  'healthz/PORT.json cut': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-a/healthz/30549.json',
    // The body's first 40 characters end on its line 4 (`\t"service": {` ... `\t\t"name": "web"` is line 4).
    damage: (t) => t.slice(0, 40),
    line: 4,
    message: /truncated JSON \(the file is cut\) at column \d+ \(position 40\)/,
  },
  'healthz/PORT.json empty': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-a/healthz/30549.json',
    damage: () => '',
    line: 1,
    message: /the file is empty/,
  },
  'healthz/PORT.json binary': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-a/healthz/30549.json',
    damage: () => BINARY,
    line: 1,
    message: /invalid JSON at column 1 \(position 0\)/,
  },
  'healthz/PORT.json valid JSON that is not kube-proxy\'s answer': {
    bundle: 'examples/real-local-lb',
    service: 'shop/web',
    file: 'nodes/node-a/healthz/30549.json',
    damage: () => '{"status": "ok"}\n',
    line: 1,
    message: /not kube-proxy's health-check answer/,
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`bad dump, ${name}: exit 3, one line naming ${c.file} and its line`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netpath-bad-dump-'));
    try {
      await cp(c.bundle, dir, { recursive: true });
      const path = join(dir, c.file);
      await writeFile(path, c.damage(await readFile(path, 'utf8')));
      for (const command of [['explain-svc', c.service], ['trace', `svc/${c.service}`, '--from', `node/${c.file.split('/')[1]}`]]) {
        const r = await execa(process.execPath, [BIN, ...command, '--snapshot', dir], { reject: false, env: { NO_COLOR: '1' } });
        assert.equal(r.exitCode, 3, `${command[0]}: ${r.stderr}`);
        const lines = String(r.stderr).trim().split('\n');
        assert.equal(lines.length, 1, `one line: ${r.stderr}`);
        assert.ok(lines[0]!.startsWith(`error: ${c.file}:${c.line}: `), lines[0]);
        assert.match(lines[0]!, c.message);
        assert.equal(String(r.stdout), '', 'nothing printed as if the run had succeeded');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
