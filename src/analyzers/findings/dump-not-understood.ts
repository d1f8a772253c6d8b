import type { FindingRule, FindingRuleMeta } from './context.ts';

const meta: FindingRuleMeta = {
  id: 'dump-not-understood',
  severities: ['warning'],
  description: 'A rule in a dump that netpath cannot evaluate: answers that pass it are conditional.',
  docs: 'docs/findings.md#dump-not-understood',
};

/** What the walkers could not evaluate, each with its file and line. */
export const dumpNotUnderstood: FindingRule = {
  meta,
  check: ({ nodeViews }) =>
    nodeViews.flatMap((v) =>
      v.notices.map((n) => ({
        id: meta.id,
        severity: 'warning' as const,
        message: `${v.node}: ${n.message} — netpath could not evaluate this, so answers that pass it are conditional.`,
        evidence: [{ kind: 'node' as const, node: v.node, detail: `${n.file}${n.line === null ? '' : `:${n.line}`}` }],
        remediation: 'Read that rule by hand; please report it so netpath learns it.',
      })),
    ),
};
