import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Cluster } from '../../harness/cluster.ts';
import { NODE_FILES } from '../../../src/cluster/bundle-layout.ts';
import { inScenario } from '../support/scenario.ts';

/** The built CLI, as a user runs it on a bundle attached to a ticket. */
const netpath = (args: string[]) => execa(process.execPath, ['bin/kubectl-netpath', ...args], { reject: false, env: { NO_COLOR: '1' } });

/**
 * A capture whose dump of one node was cut mid-line, as an interrupted copy leaves it (issue 14):
 * explain-svc, and trace entering that node, stop with exit 3 and one line naming the file and
 * the line where it was cut, instead of answering that node from the model with exit 0. The
 * intact capture is read first, so the damage is all that differs.
 */
export async function damagedDump(c: Cluster): Promise<void> {
  await inScenario(c, 'e2e-damaged', async (s) => {
    const selector = { app: 'web' };
    await s.pod('web-0', 'node-a', selector);
    await s.pod('web-1', 'node-b', selector);
    await s.service('web', { type: 'NodePort', selector, ports: [{ port: 80, targetPort: 8080 }] });
    await s.settle({ web: (e) => e.ready === 2 });
    const dir = await s.capture();
    const ns = s.namespace;
    const runs = [
      ['explain-svc', `${ns}/web`, '--snapshot', dir],
      ['trace', `svc/${ns}/web`, '--from', 'node/node-b', '--snapshot', dir],
    ];
    for (const args of runs) {
      const intact = await netpath(args);
      assert.equal(intact.exitCode, 0, `${args.join(' ')} on the intact capture: ${intact.stderr}`);
    }

    const file = c.layout.proxyMode === 'nftables' ? NODE_FILES.nftJson : NODE_FILES.iptablesSave;
    const rel = path.join('nodes', 'node-b', file);
    const text = await readFile(path.join(dir, rel), 'utf8');
    const lines = text.split('\n');
    // Cut in the middle of a line that comes before anything naming kube-proxy, where the reader
    // used to see no kube-proxy rules and answer the node from the model with exit 0: nft -j
    // prints one line, cut before its kube-proxy table; iptables-save, the last rule line before
    // the nat table (which holds KUBE-SERVICES), cut in its middle.
    let at: number;
    let damaged: string;
    if (file === NODE_FILES.nftJson) {
      at = 0;
      const table = text.indexOf('"kube-proxy"');
      assert.ok(table > 0, `${rel} names the kube-proxy table`);
      damaged = text.slice(0, Math.floor(table / 2));
    } else {
      const nat = lines.indexOf('*nat');
      at = lines.slice(0, Math.max(nat, 0)).findLastIndex((l) => l.startsWith('-A '));
      assert.ok(at >= 0, `a rule line before the nat table in ${rel}`);
      const cut = lines[at]!;
      damaged = [...lines.slice(0, at), cut.slice(0, Math.floor(cut.length / 2))].join('\n');
    }
    await writeFile(path.join(dir, rel), damaged);

    for (const args of runs) {
      const r = await netpath(args);
      const stderr = String(r.stderr).trim();
      assert.equal(r.exitCode, 3, `${args.join(' ')} on the damaged capture: exit ${r.exitCode}, ${stderr}`);
      assert.equal(stderr.split('\n').length, 1, `one line: ${stderr}`);
      // The file as the bundle names it, and the line the cut is on (1-based).
      assert.ok(stderr.startsWith(`error: ${rel}:${at + 1}: `), stderr);
      assert.equal(String(r.stdout), '', 'no answer printed');
    }
  });
}
