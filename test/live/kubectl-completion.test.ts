// `kubectl netpath <TAB>` through the real kubectl (built by scripts/k8s/build.sh): kubectl >= 1.26
// finds kubectl_complete-netpath on PATH for the plugin kubectl-netpath and relays its answer.
// Names come from an example bundle (read off its JSON) and from a real kube-apiserver seeded by
// fixtures.ts (namespaces shop, kubectl-netpath, locked; service shop/web; nodes node-a..c).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { binDir, freePort, haveBinaries, startApiServer } from './apiserver.ts';
import type { ApiServer } from './apiserver.ts';
import { seed } from './fixtures.ts';

const KUBECTL = join(binDir(), 'kubectl');
// npm test's cluster step builds kubectl first and sets this: there the test must run, not skip.
const required = process.env.NETPATH_CLUSTER_TESTS === '1';
const noKubectl = !existsSync(KUBECTL) && !required && `no kubectl in ${binDir()} (scripts/k8s/build.sh)`;
// The plugin and its completion shim, run by this Node (their shebang is `env node`).
const PATH = [resolve('bin'), dirname(process.execPath), process.env.PATH].join(delimiter);

/** `kubectl __complete netpath WORDS...`: the candidates' values and the directive line. */
async function kubectlComplete(words: string[], env: Record<string, string> = {}) {
  const r = await execa(KUBECTL, ['__complete', 'netpath', ...words], { env: { PATH, KUBECONFIG: '', ...env }, extendEnv: false, reject: false });
  assert.equal(r.exitCode, 0, String(r.stderr));
  const lines = String(r.stdout).trimEnd().split('\n');
  const directive = lines.pop();
  return { values: lines.map((l) => l.split('\t')[0]), directive };
}

describe('kubectl __complete netpath (real kubectl, kubectl_complete-netpath on PATH)', { skip: noKubectl }, () => {
  test('commands and flags', async () => {
    assert.deepEqual(await kubectlComplete(['']), { values: ['explain-svc', 'trace', 'capture', 'node', 'cleanup', 'completion', 'version', 'help'], directive: ':4' });
    assert.deepEqual(await kubectlComplete(['explain-svc', '--snap']), { values: ['--snapshot'], directive: ':4' });
  });

  test('services, namespaces and nodes of a --snapshot bundle', async () => {
    const lb = 'examples/real-local-lb';
    assert.deepEqual(await kubectlComplete(['explain-svc', '--snapshot', lb, '']), { values: ['default/kubernetes', 'shop/web'], directive: ':4' });
    assert.deepEqual(await kubectlComplete(['explain-svc', '--snapshot', lb, '-n', '']), { values: ['default', 'shop'], directive: ':4' });
    assert.deepEqual(await kubectlComplete(['trace', '--snapshot', lb, '--node', 'node-']), { values: ['node-a', 'node-b', 'node-c'], directive: ':4' });
  });

  describe('from a live kube-apiserver', { skip: !haveBinaries() && !required && `no etcd/kube-apiserver in ${binDir()}` }, () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer();
      await seed(api.admin, await freePort());
    });
    after(async () => {
      await api?.stop();
    });

    test('services, namespaces and nodes of the current context', async () => {
      const env = { KUBECONFIG: api.kubeconfig }; // current context: admin
      const services = await kubectlComplete(['explain-svc', ''], env);
      assert.deepEqual(services, { values: ['default/kubernetes', 'shop/web'], directive: ':4' });
      assert.deepEqual(await kubectlComplete(['explain-svc', '--context', 'jane', '-n', 'shop', ''], env), { values: ['web'], directive: ':4' });
      const namespaces = await kubectlComplete(['trace', '-n', ''], env);
      for (const ns of ['default', 'kube-system', 'kubectl-netpath', 'locked', 'shop']) assert.ok(namespaces.values.includes(ns), ns);
      assert.deepEqual(await kubectlComplete(['trace', 'svc/shop/web', '--node', ''], env), { values: ['node-a', 'node-b', 'node-c'], directive: ':4' });
      assert.deepEqual(await kubectlComplete(['trace', 'svc/shop/web', '--from', 'node/node-b'], env), { values: ['node/node-b'], directive: ':4' });
    });

    test('a cluster that refuses gives no candidates and the Error directive', async () => {
      assert.deepEqual(await kubectlComplete(['explain-svc', '-s', `https://127.0.0.1:${await freePort()}`, '--token', 'x', ''], {}), { values: [], directive: ':1' });
    });
  });
});
