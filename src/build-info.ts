import { readFileSync } from 'node:fs';

/** What `kubectl netpath version` reports: the package version and the git commit it was built from. */
export interface BuildInfo {
  version: string;
  commit: string;
}

// The release bundle replaces this identifier with a literal (esbuild `define`, scripts/release/build.ts):
// a single executable has no package.json or dist/ beside it to read.
declare const NETPATH_BUILD_INFO: BuildInfo | undefined;

/**
 * From a checkout or the npm package: the version from package.json and the commit from
 * dist/build-info.json, which `npm run build` writes (scripts/build-info.ts). Both files sit one
 * directory above this module whether it runs from src/ or dist/. No such file: "unknown".
 */
export function buildInfo(): BuildInfo {
  if (typeof NETPATH_BUILD_INFO !== 'undefined') return NETPATH_BUILD_INFO;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let commit = 'unknown';
  try {
    commit = (JSON.parse(readFileSync(new URL('../dist/build-info.json', import.meta.url), 'utf8')) as { commit: string }).commit;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return { version: pkg.version, commit };
}
