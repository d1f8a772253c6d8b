// A node read live (debug pod or --local-netns) whose command output cannot be parsed is bad
// input naming the node and the command, as a bundle file is named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectNodeDump, nodeTools } from '../../../src/cluster/nodes/dump-commands.ts';
import type { CommandResult, Toolbox } from '../../../src/cluster/nodes/dump-commands.ts';
import { nodeViews } from '../../../src/pipeline/node-views.ts';
import { runFacts } from '../../../src/analyzers/run-facts.ts';
import { state } from '../kube-proxy/builders.ts';
import { ExitCode, NetpathError } from '../../../src/errors.ts';

function rejectsWith(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NetpathError, String(e));
    assert.equal(e.exitCode, ExitCode.BAD_INPUT);
    assert.equal(e.message, message);
    return true;
  });
}

test('a live iptables-save that was cut: node, command, line', () => {
  const dump = {
    node: 'node-a',
    location: 'live',
    proxyMode: 'iptables',
    // Two lines, the table never committed: the error is at the end, line 2.
    files: new Map([['iptables-save.txt', '*nat\n:KUBE-SERVICES - [0:0]']]),
    healthz: new Map(),
  };
  rejectsWith(
    () => nodeViews(runFacts(state({ services: [], slices: [], nodes: [] })), ['node-a'], new Map([['node-a', dump]])),
    'node node-a: cannot parse the output of iptables-save -c -t nat; iptables-save -c -t filter (iptables-save.txt line 2): the file ends inside table nat (opened at line 1) without COMMIT: the dump looks truncated',
  );
});

/** Every tool present; each argv answered by `answer`. */
const tools = Object.fromEntries(nodeTools().map((t) => [t, [t]])) as unknown as Toolbox;

test('a /proxyMode answer that is not a mode word: node and command', async () => {
  const runner = {
    run: async (argv: readonly string[]): Promise<CommandResult> =>
      argv.includes('http://127.0.0.1:10249/proxyMode')
        ? { exitCode: 0, stdout: '<html>\n<body>404 page not found</body>\n</html>', stderr: '' }
        : { exitCode: 1, stdout: '', stderr: 'not reached' },
  };
  await assert.rejects(
    collectNodeDump(runner, tools, { node: 'node-b', address: null, healthCheckPorts: [] }, 'live'),
    (e: unknown) => {
      assert.ok(e instanceof NetpathError, String(e));
      assert.equal(e.exitCode, ExitCode.BAD_INPUT);
      assert.equal(
        e.message,
        'node node-b: cannot parse the output of curl 127.0.0.1:10249/proxyMode (proxy-mode line 2): expected one word (the answer of /proxyMode, e.g. "iptables"), found more lines',
      );
      return true;
    },
  );
});
