/**
 * The answer of one test of a rule, and how answers combine. yes/no: decided, possibly under a condition (e.g. "new client"). chance: a statistic match
 * that fires for this share of packets. unknown: netpath cannot decide.
 */
export type Decision =
  | { kind: 'yes' | 'no'; condition?: string; dynamic?: boolean }
  | { kind: 'chance'; probability: number }
  | { kind: 'unknown'; note?: string };

export const yes: Decision = { kind: 'yes' };
export const no: Decision = { kind: 'no' };
export const unknown: Decision = { kind: 'unknown' };

export const bool = (b: boolean, negated = false): Decision => (b !== negated ? yes : no);
export const flip = (d: Decision, negated: boolean): Decision =>
  !negated || d.kind === 'unknown' || d.kind === 'chance' ? d : { ...d, kind: d.kind === 'yes' ? 'no' : 'yes' };

/** AND of several tests: a plain "no" decides; otherwise unknowns, then conditions, carry over. */
export function all(ds: Decision[]): Decision {
  if (ds.some((d) => d.kind === 'no' && !d.condition)) return no;
  return (
    ds.find((d) => d.kind === 'unknown') ??
    ds.find((d) => d.kind === 'no') ??
    ds.find((d) => 'condition' in d && d.condition) ??
    yes
  );
}

