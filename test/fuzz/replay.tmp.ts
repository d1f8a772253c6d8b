import { readFileSync, writeFileSync } from 'node:fs';
import { applyTextEdit } from './mutate.ts';
import { targets } from './targets.ts';
const input = JSON.parse(readFileSync('/tmp/fuzz-last.json', 'utf8'));
const t = targets().find((x) => x.name === process.argv[2])!;
let text = readFileSync(t.seeds[input.seed]!, 'utf8');
for (const e of input.edits) if ('line' in e || e.op === 'crlf') text = applyTextEdit(text, e);
writeFileSync('/tmp/fuzz-input.txt', text);
console.log(t.seeds[input.seed]);
