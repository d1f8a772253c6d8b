/**
 * Hostile bundles (issue 13): wrong shapes, links out of the root, FIFOs and devices, tar bombs,
 * and the extracted copy left behind by `| head` or Ctrl-C. Each ends in exit 3 with one line
 * naming the file, or in a clean exit with no temp dir left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { SnapshotSource } from '../../../src/cluster/nodes/snapshot.ts';
import { NetpathError } from '../../../src/errors.ts';

const BIN = 'bin/kubectl-netpath';

async function withBundle(fn: (dir: string) => Promise<void>, example = 'examples/overall') {
  const dir = await mkdtemp(join(tmpdir(), 'netpath-bundle-test-'));
  try {
    await cp(example, join(dir, 'b'), { recursive: true });
    await fn(join(dir, 'b'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function refused(dir: string, re: RegExp) {
  const source = await SnapshotSource.open(dir);
  try {
    await assert.rejects(
      (async () => {
        await source.readState();
        await source.readNodes({ nodes: ['test-node'], healthCheckPorts: [] });
      })(),
      (e: unknown) => e instanceof NetpathError && e.exitCode === 3 && re.test(e.message),
    );
  } finally {
    await source.close();
  }
}

async function editJson(path: string, edit: (doc: any) => void) {
  const doc = JSON.parse(await readFile(path, 'utf8'));
  edit(doc);
  await writeFile(path, JSON.stringify(doc));
}

test('a wrong shape is exit 3 naming the file and the item', async () => {
  await withBundle(async (dir) => {
    await editJson(join(dir, 'cluster/services.json'), (d) => (d.items[1].spec.ports[0].port = '80'));
    await refused(dir, /^cluster\/services\.json: items\[1\]\.spec\.ports\[0\]\.port must be integer$/);
    // A port-less service port (BigInt(undefined) in the walk before).
    await editJson(join(dir, 'cluster/services.json'), (d) => delete d.items[1].spec.ports[0].port);
    await refused(dir, /^cluster\/services\.json: items\[1\]\.spec\.ports\[0\] must have required property 'port'$/);
  });
  await withBundle(async (dir) => {
    await editJson(join(dir, 'cluster/endpointslices.json'), (d) => (d.items[0].endpoints[0].addresses = '10.1.2.3'));
    await refused(dir, /^cluster\/endpointslices\.json: items\[0\]\.endpoints\[0\]\.addresses must be array$/);
  });
  await withBundle(async (dir) => {
    await editJson(join(dir, 'cluster/nodes.json'), (d) => (d.items[0].status.addresses = [{ type: 'InternalIP' }]));
    await refused(dir, /^cluster\/nodes\.json: items\[0\]\.status\.addresses\[0\] must have required property 'address'$/);
  });
});

test('a cluster file that is a symlink (to /etc/passwd, to /dev/zero) is refused, not followed', async () => {
  for (const target of ['/etc/passwd', '/dev/zero']) {
    await withBundle(async (dir) => {
      await rm(join(dir, 'cluster/services.json'));
      await symlink(target, join(dir, 'cluster/services.json'));
      await refused(dir, /^cluster\/services\.json: is a symbolic link; a bundle holds only regular files and directories$/);
    });
  }
  await withBundle(async (dir) => {
    // A node directory that links elsewhere.
    await rm(join(dir, 'nodes/test-node'), { recursive: true });
    await symlink('/etc', join(dir, 'nodes/test-node'));
    await refused(dir, /^snapshot: nodes\/test-node is not a directory/);
  });
});

test('a FIFO in place of a dump is refused at once (it used to hang forever)', async () => {
  await withBundle(async (dir) => {
    await rm(join(dir, 'nodes/test-node/iptables-save.txt'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'nodes/test-node/iptables-save.txt')]).status, 0);
    await refused(dir, /^nodes\/test-node\/iptables-save\.txt: is a FIFO/);
  });
});

async function tarball(dir: string, out: string, ...args: string[]) {
  const r = spawnSync('tar', ['-czf', out, '-C', dir, ...args]);
  assert.equal(r.status, 0, String(r.stderr));
}

async function scratch(fn: (tmp: string) => Promise<void>) {
  const tmp = await mkdtemp(join(tmpdir(), 'netpath-tar-test-'));
  try {
    await fn(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const ownTempDirs = async (tmp: string) => (await readdir(tmp)).filter((f) => f.startsWith('netpath-snapshot-'));

test('archives: a tar bomb, too many entries and links are refused before extraction; nothing left in TMPDIR', async () => {
  await scratch(async (tmp) => {
    const src = join(tmp, 'src');
    await cp('examples/overall', join(src, 'b'), { recursive: true });
    // 600 MiB of zeros: about 600 KiB compressed, past the 512 MiB bound.
    assert.equal(spawnSync('truncate', ['-s', '600M', join(src, 'b/nodes/test-node/padding')]).status, 0);
    await tarball(src, join(tmp, 'bomb.tar.gz'), 'b');
    const env = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };
    const bomb = await execa(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'bomb.tar.gz')], { reject: false, env });
    assert.equal(bomb.exitCode, 3);
    assert.match(String(bomb.stderr).trim(), /^error: snapshot .*bomb\.tar\.gz: expands to more than 512 MiB$/);
    await rm(join(src, 'b/nodes/test-node/padding'));

    // 10,001 empty files.
    const many = join(src, 'b/nodes/many');
    await mkdir(many);
    await Promise.all(Array.from({ length: 10_001 }, (_, i) => writeFile(join(many, String(i)), '')));
    await tarball(src, join(tmp, 'many.tar.gz'), 'b');
    const r = await execa(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'many.tar.gz')], { reject: false, env });
    assert.equal(r.exitCode, 3);
    assert.match(String(r.stderr).trim(), /^error: snapshot .*many\.tar\.gz: more than 10000 entries/);
    await rm(many, { recursive: true });

    await symlink('/etc/passwd', join(src, 'b/cluster/pods.json'));
    await tarball(src, join(tmp, 'link.tar.gz'), 'b');
    const l = await execa(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'link.tar.gz')], { reject: false, env });
    assert.equal(l.exitCode, 3);
    assert.match(String(l.stderr).trim(), /^error: snapshot .*link\.tar\.gz: b\/cluster\/pods\.json is a SymbolicLink entry/);
    await rm(join(src, 'b/cluster/pods.json'));

    // An archive cut in half: exit 3, and nothing left behind.
    const whole = await readFile(join(tmp, 'many.tar.gz'));
    await writeFile(join(tmp, 'cut.tar.gz'), whole.subarray(0, whole.length >> 1));
    const cut = await execa(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'cut.tar.gz')], { reject: false, env });
    assert.equal(cut.exitCode, 3, String(cut.stderr));
    assert.match(String(cut.stderr).trim(), /^error: snapshot .*cut\.tar\.gz: /);
    assert.deepEqual(await ownTempDirs(tmp), []);

    // A bundle without cluster/: refused after extraction, and the extracted copy removed.
    await rm(join(src, 'b/cluster'), { recursive: true });
    await tarball(src, join(tmp, 'nocluster.tar.gz'), 'b');
    const n = await execa(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'nocluster.tar.gz')], { reject: false, env });
    assert.equal(n.exitCode, 3, String(n.stderr));
    assert.match(String(n.stderr).trim(), /^error: snapshot .*nocluster\.tar\.gz: no cluster\/ directory/);
    assert.deepEqual(await ownTempDirs(tmp), []);
  });
});

test('the extracted copy is removed after `| head` closes the pipe and after SIGINT (exit 130)', async () => {
  await scratch(async (tmp) => {
    const src = join(tmp, 'src');
    await cp('examples/overall', join(src, 'b'), { recursive: true });
    await tarball(src, join(tmp, 'ok.tar.gz'), 'b');
    const env = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };

    // `| head -c 1`: the reader goes away after the first byte.
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" ${BIN} explain-svc ns2/svc2 -o yaml --snapshot ${join(tmp, 'ok.tar.gz')} | head -c 1`], { env, encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
    assert.deepEqual(await ownTempDirs(tmp), []);

    // SIGINT while a large bundle is being extracted (64 MiB that do not compress take a while).
    assert.equal(spawnSync('head', ['-c', '64M', '/dev/urandom'], { stdio: ['ignore', (await import('node:fs')).openSync(join(src, 'b/nodes/test-node/padding'), 'w'), 'ignore'] }).status, 0);
    await tarball(src, join(tmp, 'big.tar.gz'), 'b');
    const child = spawn(process.execPath, [BIN, 'explain-svc', 'ns2/svc2', '--snapshot', join(tmp, 'big.tar.gz')], { env, stdio: 'ignore' });
    let done = false;
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => ((done = true), resolve(`${code} ${signal}`))));
    // Signal once its temp dir exists, i.e. during the extraction.
    while (!done && (await ownTempDirs(tmp)).length === 0) await new Promise((r) => setTimeout(r, 2));
    assert.ok(!done, 'the run ended before its temp dir was seen');
    child.kill('SIGINT');
    assert.equal(await exited, '130 null');
    assert.deepEqual(await ownTempDirs(tmp), []);
  });
});

test('trace from an IPv6 source to an IPv4 service address is a usage error (exit 1 with a TypeError before)', async () => {
  const r = await execa(process.execPath, [BIN, 'trace', '172.30.0.44:80', '--from', 'fd00::1', '--node', 'node-nftables', '--snapshot', 'examples/mixed-modes'], { reject: false, env: { NO_COLOR: '1' } });
  assert.equal(r.exitCode, 2);
  assert.equal(String(r.stderr).trim(), 'error: the source fd00::1 is IPv6 and the destination 172.30.0.44 is IPv4: a packet has one IP family');
});
