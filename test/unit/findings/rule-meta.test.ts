// Findings as lint rules: one rule per file, named after the one id it emits, declared in its
// meta and documented in docs/findings.md (as ESLint's rules carry meta.docs and a page each).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { FINDING_RULES } from '../../../src/analyzers/findings/index.ts';
import type { FindingRule } from '../../../src/analyzers/findings/index.ts';

const DIR = 'src/analyzers/findings';
/** Files of the rule set that are not rules: shared context, merging, the list. */
const NOT_RULES = new Set(['context.ts', 'merge.ts', 'index.ts']);
const ruleFiles = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f));
const DOC = readFileSync('docs/findings.md', 'utf8');

const isRule = (v: unknown): v is FindingRule =>
  typeof v === 'object' && v !== null && 'meta' in v && 'check' in v && typeof (v as FindingRule).check === 'function';

/** `| [`id`](#id) | error, warning | description |` rows of docs/findings.md's tables. */
function docRows(): Map<string, { severities: string; description: string }> {
  const rows = new Map<string, { severities: string; description: string }>();
  for (const m of DOC.matchAll(/^\| (?:\[`([a-z0-9-]+)`\]\(#[a-z0-9-]+\)|`([a-z0-9-]+)`) \| ([a-z, ]+) \| (.+) \|$/gm)) {
    rows.set((m[1] ?? m[2])!, { severities: m[3]!, description: m[4]! });
  }
  return rows;
}

describe('finding rules', () => {
  it('every file exports exactly one rule, named after the id its meta declares, and the index lists it', async () => {
    assert.ok(ruleFiles.length >= 20, `${ruleFiles.length} rule files`);
    for (const file of ruleFiles) {
      const mod: Record<string, unknown> = await import(`../../../${DIR}/${file}`);
      const rules = Object.values(mod).filter(isRule);
      assert.equal(rules.length, 1, `${file} exports ${rules.length} rules`);
      assert.equal(rules[0]!.meta.id, basename(file, '.ts'), `${file}: file name and id differ`);
      assert.ok(FINDING_RULES.includes(rules[0]!), `${file}: not in FINDING_RULES`);
    }
    assert.equal(FINDING_RULES.length, ruleFiles.length);
  });

  it('ids are unique', () => {
    const ids = FINDING_RULES.map((r) => r.meta.id);
    assert.deepEqual([...new Set(ids)], ids);
  });

  it('rules emit only their own id: the id is written once, in the meta, and findings say meta.id', () => {
    for (const file of ruleFiles) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const literalIds = [...text.matchAll(/\bid: '([^']+)'/g)].map((m) => m[1]);
      assert.deepEqual(literalIds, [basename(file, '.ts')], `${file}: id literals ${literalIds.join(', ')}`);
      // Every finding the file builds takes its id from the meta (no computed or foreign id).
      const ids = [...text.matchAll(/\bid: ([^,\n]+)/g)].map((m) => m[1]).filter((v) => !v!.startsWith("'"));
      assert.ok(ids.length > 0 && ids.every((v) => v === 'meta.id'), `${file}: finding ids ${ids.join(', ')}`);
    }
  });

  it('meta is complete: severities most severe first, a one-line description, docs pointing at its section', () => {
    const rank = { error: 0, warning: 1, info: 2 };
    for (const { meta } of FINDING_RULES) {
      assert.ok(meta.severities.length > 0, meta.id);
      assert.deepEqual([...meta.severities].sort((a, b) => rank[a] - rank[b]), [...meta.severities], `${meta.id}: severities order`);
      assert.match(meta.description, /^[^\n]{10,120}\.$/, `${meta.id}: description`);
      assert.equal(meta.docs, `docs/findings.md#${meta.id}`);
      assert.ok(DOC.includes(`\n### ${meta.id}\n`), `${meta.id}: no section in docs/findings.md`);
    }
  });

  it("docs/findings.md's table says what each meta says (id, severities, description)", () => {
    const rows = docRows();
    for (const { meta } of FINDING_RULES) {
      assert.deepEqual(rows.get(meta.id), { severities: meta.severities.join(', '), description: meta.description }, meta.id);
    }
  });

  it('findings built outside the rule set (node state, observed shares) are documented too', () => {
    const rows = docRows();
    const files = ['src/analyzers/node-health.ts', 'src/analyzers/observed-shares.ts'];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const found = [...text.matchAll(/\bid: '([a-z0-9-]+)',\s*\n\s*severity: ([^,\n]+)/g)];
      assert.ok(found.length > 0, file);
      for (const [, id, severity] of found) {
        const row = rows.get(id!);
        assert.ok(row, `${file}: ${id} not in docs/findings.md`);
        for (const s of severity!.match(/'(error|warning|info)'/g) ?? []) assert.ok(row.severities.includes(s.slice(1, -1)), `${id}: ${s}`);
      }
    }
  });
});
