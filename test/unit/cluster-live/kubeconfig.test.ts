import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/cluster/live/kubeconfig.ts';
import type { ConfigEnvironment } from '../../../src/cluster/live/kubeconfig.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'netpath-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// File A: cluster c1 at a:6443, user u1, context ctx-a (namespace shop), current ctx-a.
const fileA = join(dir, 'a.yaml');
writeFileSync(
  fileA,
  `apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: c1
  cluster: {server: 'https://a.example:6443', certificate-authority: certs/ca.crt}
users:
- name: u1
  user: {token: token-a}
contexts:
- name: ctx-a
  context: {cluster: c1, user: u1, namespace: shop}
`,
);
// File B redefines c1, u1 and ctx-a (ignored when A comes first) and adds c2/u2/ctx-b, current ctx-b.
const fileB = join(dir, 'b.yaml');
writeFileSync(
  fileB,
  `apiVersion: v1
kind: Config
current-context: ctx-b
clusters:
- name: c1
  cluster: {server: 'https://b-c1.example:6443'}
- name: c2
  cluster: {server: 'https://b-c2.example:6443'}
users:
- name: u1
  user: {token: token-b}
- name: u2
  user: {token: token-u2}
contexts:
- name: ctx-a
  context: {cluster: c2, user: u2}
- name: ctx-b
  context: {cluster: c2, user: u2}
`,
);
const home = join(dir, 'home');
mkdirSync(home);
const saDir = join(dir, 'sa');
mkdirSync(saDir);
writeFileSync(join(saDir, 'namespace'), 'team-x\n');

const env = (vars: Record<string, string>): ConfigEnvironment => ({ env: vars, home, serviceAccountDir: saDir });
const list = (...files: string[]) => files.join(delimiter);
const tokenOf = (kc: KubeConfig) => kc.getCurrentUser()?.token;

test('KUBECONFIG list: first file to define a name or current-context wins; missing files are skipped', () => {
  const c = loadKubeConfig({}, env({ KUBECONFIG: list(fileA, join(dir, 'missing.yaml'), fileB) }));
  assert.equal(c.contextName, 'ctx-a');
  assert.equal(c.server, 'https://a.example:6443'); // c1 from A, not B's redefinition
  assert.equal(tokenOf(c.kc), 'token-a');
  assert.equal(c.namespace, 'shop');
  assert.deepEqual(c.files, [fileA, fileB]);
  // The relative certificate path is resolved against A's directory, as kubectl does.
  assert.equal(c.kc.getCurrentCluster()?.caFile, join(dir, 'certs', 'ca.crt'));
});

test("reversed order: B's current-context and definitions win", () => {
  const c = loadKubeConfig({}, env({ KUBECONFIG: list(fileB, fileA) }));
  assert.equal(c.contextName, 'ctx-b');
  assert.equal(c.server, 'https://b-c2.example:6443');
  assert.equal(tokenOf(c.kc), 'token-u2');
  assert.equal(c.namespace, 'default'); // ctx-b has no namespace
});

test('client-node alone cannot load the same list: it throws on the duplicate names', () => {
  const prev = process.env.KUBECONFIG;
  process.env.KUBECONFIG = list(fileA, fileB);
  try {
    assert.throws(() => new KubeConfig().loadFromDefault(), /Duplicate cluster: c1/);
  } finally {
    if (prev === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = prev;
  }
});

test('--context, --cluster, --user and -n override like kubectl', () => {
  const kc = env({ KUBECONFIG: list(fileA, fileB) });
  const b = loadKubeConfig({ context: 'ctx-b' }, kc);
  assert.equal(b.server, 'https://b-c2.example:6443');
  assert.equal(tokenOf(b.kc), 'token-u2');

  const cluster = loadKubeConfig({ cluster: 'c2' }, kc); // ctx-a with c2 instead of c1
  assert.equal(cluster.server, 'https://b-c2.example:6443');
  assert.equal(tokenOf(cluster.kc), 'token-a');
  assert.equal(cluster.namespace, 'shop');

  const user = loadKubeConfig({ user: 'u2' }, kc);
  assert.equal(user.server, 'https://a.example:6443');
  assert.equal(tokenOf(user.kc), 'token-u2');
  assert.equal(user.userName, 'u2');

  assert.equal(loadKubeConfig({ namespace: 'web' }, kc).namespace, 'web');
});

test('--kubeconfig reads only that file, even with KUBECONFIG set', () => {
  const c = loadKubeConfig({ kubeconfig: fileB }, env({ KUBECONFIG: fileA }));
  assert.equal(c.contextName, 'ctx-b');
  assert.deepEqual(c.files, [fileB]);
});

test('~/.kube/config is the default', () => {
  const h = join(dir, 'home2');
  mkdirSync(join(h, '.kube'), { recursive: true });
  writeFileSync(join(h, '.kube', 'config'), `current-context: x
clusters: [{name: hc, cluster: {server: 'https://home.example'}}]
users: [{name: hu, user: {token: "tok\\n"}}]
contexts: [{name: x, context: {cluster: hc, user: hu}}]
`);
  const c = loadKubeConfig({}, { env: {}, home: h, serviceAccountDir: saDir });
  assert.equal(c.server, 'https://home.example');
  // A token with a trailing newline is trimmed, as client-go does (a newline breaks the header).
  assert.equal(tokenOf(c.kc), 'tok');
});

test('in-cluster config when no kubeconfig exists and KUBERNETES_SERVICE_HOST is set', () => {
  const c = loadKubeConfig({}, env({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }));
  assert.equal(c.server, 'https://10.96.0.1:443');
  assert.equal(c.namespace, 'team-x'); // from the service account's namespace file
  assert.equal(c.kc.getCurrentCluster()?.caFile, join(saDir, 'ca.crt'));
  assert.equal(c.kc.getCurrentUser()?.authProvider?.config?.tokenFile, join(saDir, 'token'));
  const v6 = loadKubeConfig({}, env({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }));
  assert.equal(v6.server, 'https://[fd00::1]:443');
});

test('errors: unknown names are usage errors, missing files bad input', () => {
  const kc = env({ KUBECONFIG: fileA });
  const is = (code: number, re: RegExp) => (e: unknown) => e instanceof NetpathError && e.exitCode === code && re.test(e.message);
  assert.throws(() => loadKubeConfig({ context: 'nope' }, kc), is(ExitCode.USAGE, /^context "nope" does not exist/));
  assert.throws(() => loadKubeConfig({ cluster: 'nope' }, kc), is(ExitCode.USAGE, /^cluster "nope" does not exist/));
  assert.throws(() => loadKubeConfig({ user: 'nope' }, kc), is(ExitCode.USAGE, /^user "nope" does not exist/));
  assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') }, kc), is(ExitCode.BAD_INPUT, /no such file/));
  assert.throws(() => loadKubeConfig({}, env({})), is(ExitCode.BAD_INPUT, /^no kubeconfig/));
});

/** The headers client-node's REST path would send for `kc`. */
async function restHeaders(kc: KubeConfig): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  await kc.applySecurityAuthentication({ setHeaderParam: (k: string, v: string) => (headers[k] = v), setDispatcher: () => {} } as never);
  return headers;
}

test('-s/--server, --token, --as and --as-group as kubectl applies them', async () => {
  const flags = { server: 'https://other.example:7443', token: 'flag-token', as: 'jane', asGroup: ['ops'] };
  // The kubeconfig's CA still applies to the new address (kubectl keeps it too).
  const withCa = loadKubeConfig(flags, env({ KUBECONFIG: fileA }));
  assert.match(withCa.kc.getCurrentCluster()?.caFile ?? '', /certs\/ca\.crt$/);

  const kc = env({ KUBECONFIG: fileB }); // ctx-b: cluster c2, user u2 (token-u2), no CA file
  const c = loadKubeConfig(flags, kc);
  assert.equal(c.server, 'https://other.example:7443');
  assert.equal(c.kc.getCurrentCluster()?.server, 'https://other.example:7443');
  const h = await restHeaders(c.kc);
  assert.equal(h.Authorization, 'Bearer flag-token');
  assert.equal(h['Impersonate-User'], 'jane');
  assert.equal(h['Impersonate-Group'], 'ops');
  assert.equal(c.userName, 'u2 as jane');

  // Without the flags: the file's token, no impersonation.
  const plain = await restHeaders(loadKubeConfig({}, kc).kc);
  assert.equal(plain.Authorization, 'Bearer token-u2');
  assert.equal(plain['Impersonate-User'], undefined);
  assert.equal(plain['Impersonate-Group'], undefined);
});

test('--server and --token work without any kubeconfig; --as-group needs --as and one group', () => {
  const c = loadKubeConfig({ server: 'https://10.0.0.1:6443', token: 't' }, env({}));
  assert.equal(c.server, 'https://10.0.0.1:6443');
  assert.equal(tokenOf(c.kc), 't');
  assert.equal(c.namespace, 'default');
  const usage = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof NetpathError && e.exitCode === ExitCode.USAGE && re.test(e.message));
  usage(() => loadKubeConfig({ asGroup: ['ops'] }, env({ KUBECONFIG: fileA })), /--as-group needs --as/);
  usage(() => loadKubeConfig({ as: 'jane', asGroup: ['a', 'b'] }, env({ KUBECONFIG: fileA })), /one group/);
});
