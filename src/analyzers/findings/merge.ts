import type { Evidence, Finding } from '../../model/finding.ts';

/**
 * One finding per id and cause: findings that say the same thing (same id, severity, message
 * and remediation), e.g. when two rules or two nodes report one fact, become one finding that
 * keeps all their evidence. Order is that of each group's first finding.
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  for (const f of findings) {
    const key = JSON.stringify([f.id, f.severity, f.message, f.remediation]);
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? f : { ...seen, evidence: uniqueEvidence([...seen.evidence, ...f.evidence]) });
  }
  return [...merged.values()];
}

/** Evidence once each (paths of one node share their first rules). */
export function uniqueEvidence(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
