import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { targets } from './targets.ts';
const name = process.argv[2]!;
const t = targets().find((x) => x.name === name)!;
fc.assert(fc.property(t.input, (i) => { writeFileSync('/tmp/fuzz-last.json', JSON.stringify(i)); const t0=Date.now(); t.run(i); if (Date.now()-t0>1000) console.log('slow', Date.now()-t0, JSON.stringify(i)); }), { numRuns: Number(process.argv[3] ?? 100), seed: Number(process.argv[4] ?? 1) });
console.log('ok');
