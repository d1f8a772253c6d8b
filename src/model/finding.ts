export type Severity = 'error' | 'warning' | 'info';

/** A pointer to the fact a conclusion rests on. */
export type Evidence =
  | { kind: 'rule'; node: string; file: string; line: number | null; table: string; chain: string; rule: string; handle?: number }
  | { kind: 'endpointslice'; namespace: string; name: string; endpoint?: string; detail: string }
  | { kind: 'service'; namespace: string; name: string; detail: string }
  | { kind: 'node'; node: string; detail: string }
  | { kind: 'pod'; namespace: string; name: string; detail: string }
  | { kind: 'config'; source: string; detail: string }
  | { kind: 'healthz'; node: string; port: number; detail: string };

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  evidence: Evidence[];
  remediation: string;
}
