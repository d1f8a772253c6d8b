// The release, proven with the real tools (issue 12): `npm run release` builds it; krew's own
// validate-krew-manifest and krew (scripts/krew/build.sh, from the Go module proxy) validate the
// rendered manifest and install the linux/amd64 archive into a temporary KREW_ROOT; the real
// kubectl (scripts/k8s/build.sh) then runs the plugin with no node binary on PATH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { list } from 'tar';
import { parse } from 'yaml';

const OUT = resolve('dist-release');
const ARCHIVE = join(OUT, 'kubectl-netpath_linux_amd64.tar.gz');
const MANIFEST = join(OUT, 'krew-manifest.yaml');
const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };

interface KrewPlatform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  bin: string;
}

let tmp = '';
let env: Record<string, string> = {};

/** The last stdout line of a build script (its bin dir); its progress goes to our stderr. */
async function binDir(script: string): Promise<string> {
  const r = await execa('bash', [script], { stderr: 'inherit' });
  return String(r.stdout).trim().split('\n').pop() ?? '';
}

before(async () => {
  await execa(process.execPath, ['scripts/release/build.ts'], { stdio: 'inherit' });
  const [krew, k8s] = [await binDir('scripts/krew/build.sh'), await binDir('scripts/k8s/build.sh')];
  tmp = await mkdtemp(join(tmpdir(), 'netpath-krew-'));
  const tools = join(tmp, 'tools');
  await mkdir(tools);
  await symlink(join(k8s, 'kubectl'), join(tools, 'kubectl'));
  await symlink(join(krew, 'kubectl-krew'), join(tools, 'kubectl-krew'));
  await symlink(join(krew, 'validate-krew-manifest'), join(tools, 'validate-krew-manifest'));
  // Nothing else: no node, so the installed plugin can only run as the single executable it is.
  env = { PATH: `${join(tmp, 'krew', 'bin')}:${tools}`, KREW_ROOT: join(tmp, 'krew'), HOME: tmp, NO_COLOR: '1' };
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const run = (cmd: string, args: string[]) => execa(cmd, args, { env, extendEnv: false, reject: false, all: true });

test('the archive holds the binary and LICENSE, and its sha256 is the manifest\'s and SHA256SUMS\'s', async () => {
  const names: string[] = [];
  await list({ file: ARCHIVE, onReadEntry: (e) => void names.push(e.path) });
  assert.deepEqual(names.sort(), ['LICENSE', 'kubectl-netpath']);

  const sha256 = createHash('sha256').update(await readFile(ARCHIVE)).digest('hex');
  const manifest = parse(await readFile(MANIFEST, 'utf8')) as { spec: { version: string; platforms: KrewPlatform[] } };
  assert.equal(manifest.spec.version, `v${pkg.version}`);
  const linux = manifest.spec.platforms.find((p) => p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64');
  assert.ok(linux, 'a linux/amd64 platform');
  assert.equal(linux.sha256, sha256);
  assert.match(linux.uri, /\/v\d+\.\d+\.\d+\/kubectl-netpath_linux_amd64\.tar\.gz$/);
  assert.equal(linux.bin, 'kubectl-netpath');
  assert.match(await readFile(join(OUT, 'SHA256SUMS'), 'utf8'), new RegExp(`^${sha256}  kubectl-netpath_linux_amd64\\.tar\\.gz$`, 'm'));
});

test('krew\'s validate-krew-manifest accepts the rendered manifest', async () => {
  // It infers the plugin name from the file name, as in krew-index; the archives are not
  // published, so it checks the structure and we install from the local archive below.
  const named = join(tmp, 'netpath.yaml');
  await copyFile(MANIFEST, named);
  const r = await run('validate-krew-manifest', ['-manifest', named, '-skip-install']);
  assert.equal(r.exitCode, 0, String(r.all));
  assert.match(String(r.all), /structural validation OK/);
});

test('kubectl krew install --manifest --archive, then kubectl netpath runs without node on PATH', async (t) => {
  for (const dir of env.PATH?.split(':') ?? []) assert.ok(!existsSync(join(dir, 'node')), `no node in ${dir}`);
  const install = await run('kubectl', ['krew', 'install', `--manifest=${MANIFEST}`, `--archive=${ARCHIVE}`]);
  assert.equal(install.exitCode, 0, String(install.all));
  assert.deepEqual(await readdir(join(tmp, 'krew', 'bin')), ['kubectl-netpath']);

  await t.test('kubectl netpath --version', async () => {
    const r = await run('kubectl', ['netpath', '--version']);
    assert.equal(r.exitCode, 0, String(r.all));
    assert.equal(String(r.stdout).trim(), pkg.version);
  });

  await t.test('kubectl netpath version -o json: the version and the commit the release was built from', async () => {
    const sha = String((await execa('git', ['rev-parse', 'HEAD'])).stdout).trim();
    const r = await run('kubectl', ['netpath', 'version', '-o', 'json']);
    assert.equal(r.exitCode, 0, String(r.all));
    const info = JSON.parse(String(r.stdout)) as { version: string; commit: string };
    assert.equal(info.version, pkg.version);
    assert.match(info.commit, new RegExp(`^${sha}(-dirty)?$`));
  });

  await t.test('kubectl netpath explain-svc on examples/overall: LB, NodePort and external IP traffic dropped', async () => {
    // README: svc2 is Local with its only endpoint off the node, so kube-proxy drops external
    // traffic on test-node (KUBE-EXTERNAL-SERVICES); a pod's ClusterIP traffic is DNATed.
    const text = await run('kubectl', ['netpath', 'explain-svc', 'ns2/svc2', '--snapshot', resolve('examples/overall')]);
    assert.equal(text.exitCode, 0, String(text.all));
    assert.match(String(text.stdout), /ns2\/svc2/);
    assert.match(String(text.stdout), /DROP/);

    const json = await run('kubectl', ['netpath', 'explain-svc', 'ns2/svc2', '--snapshot', resolve('examples/overall'), '-o', 'json']);
    assert.equal(json.exitCode, 0, String(json.all));
    const doc = JSON.parse(String(json.stdout)) as { service: { name: string }; paths: { entry: string; outcomes: { verdict: string }[] }[] };
    assert.equal(doc.service.name, 'svc2');
    const verdicts = Object.fromEntries(doc.paths.map((p) => [p.entry, p.outcomes.map((o) => o.verdict).join(',')]));
    assert.deepEqual(verdicts, { ClusterIP: 'DNAT', NodePort: 'DROP', LoadBalancer: 'DROP', ExternalIP: 'DROP' });
  });
});
