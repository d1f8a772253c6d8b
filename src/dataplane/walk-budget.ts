/**
 * Bounds every walk: rulesets that branch and rejoin ("diamonds") or nest jumps deeply must end
 * in a typed answer, never a hang or an out-of-memory abort. kube-proxy's own rules stay far
 * below these limits (a jump depth of about 5, a branch per endpoint); a dump beyond them is one
 * netpath cannot explain, and says so with the rule where it stopped.
 */
import { DumpParseError } from './errors.ts';

export const WALK_LIMITS = {
  /** Chains on the call stack at once. */
  depth: 100,
  /** Distinct branches alive after one rule. */
  branches: 10_000,
  /** Rule evaluations in one walk (a kube-proxy dump with 10,000 services needs about 100,000). */
  steps: 5_000_000,
} as const;

export type WalkLimits = { [K in keyof typeof WALK_LIMITS]: number };

/** A walk stopped at its budget: exit 3 (bad input), naming the dump and the rule. */
export class WalkTooComplexError extends DumpParseError {
  constructor(file: string, line: number | null, message: string) {
    super(file, line, `walk too complex: ${message}`);
    this.name = 'WalkTooComplexError';
  }
}

/** Counts one walk's work; tests read `steps` to show a walk is polynomial, not exponential. */
export class WalkBudget {
  steps = 0;
  readonly limits: WalkLimits;

  constructor(limits: Partial<WalkLimits> = {}) {
    this.limits = { ...WALK_LIMITS, ...limits };
  }

  /** One rule evaluated on one branch. */
  step(file: string, line: number | null): void {
    if (++this.steps > this.limits.steps) throw new WalkTooComplexError(file, line, `more than ${this.limits.steps} rule evaluations`);
  }

  depth(depth: number, file: string, line: number | null, chain: string): void {
    if (depth > this.limits.depth) throw new WalkTooComplexError(file, line, `jumps nested more than ${this.limits.depth} chains deep (at ${chain})`);
  }

  branches(count: number, file: string, line: number | null): void {
    if (count > this.limits.branches) throw new WalkTooComplexError(file, line, `more than ${this.limits.branches} distinct branches`);
  }
}
