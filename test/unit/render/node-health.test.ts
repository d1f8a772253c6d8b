import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderNodeHealth } from '../../../src/render/node-health.ts';
import type { NodeHealthReport } from '../../../src/commands/node.ts';

test('node text output: a kube-proxy version read from the node with an ESC in it is shown as \\x1b, never raw', async () => {
  const report: NodeHealthReport = {
    apiVersion: 'netpath/v1alpha1',
    kind: 'NodeHealthReport',
    nodes: [
      {
        node: 'node-a',
        proxyMode: 'iptables',
        kubeProxyVersion: 'v1.36.3\u001b]0;owned\u0007',
        healthy: true,
        sync: [],
        pendingChanges: null,
        iptablesBackend: null,
        rules: null,
        conntrack: null,
        findings: [],
        read: true,
      },
    ],
  };
  const text = await renderNodeHealth(report, 'text', false);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text), 'no control character reaches the terminal');
  assert.ok(text.startsWith('node-a  iptables  kube-proxy v1.36.3\\x1b]0;owned\\x07  healthy\n'), text);
});
