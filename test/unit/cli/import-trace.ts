// Preloaded with `node --import` by lazy-imports.test.ts: records every module URL the process
// loads and writes them, one per line, to $NETPATH_IMPORT_TRACE when the process exits.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const seen: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    seen.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  const out = process.env.NETPATH_IMPORT_TRACE;
  if (out) writeFileSync(out, `${seen.join('\n')}\n`);
});
