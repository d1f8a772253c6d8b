import { parseDocument } from 'yaml';
import type { YAMLMap, YAMLSeq } from 'yaml';

/** A platform as krew's selectors name it (GOOS / GOARCH). */
export type Platform = `${'linux' | 'darwin'}/${'amd64' | 'arm64'}`;

/**
 * Renders krew/netpath.yaml.tmpl: `{{version}}` everywhere, each platform's `{{sha256}}` from
 * `sums` (keyed by its selector's os/arch); a platform without a sum is removed, and so is the
 * template's own header comment. Throws if no platform is left or a placeholder survives.
 */
export function renderManifest(template: string, version: string, sums: ReadonlyMap<Platform, string>, header: string): string {
  const doc = parseDocument(template.replace(/^(#.*\n)+/, '').replaceAll('{{version}}', version));
  const platforms = doc.getIn(['spec', 'platforms']) as YAMLSeq<YAMLMap>;
  platforms.items = platforms.items.filter((p) => {
    const labels = p.getIn(['selector', 'matchLabels']) as YAMLMap;
    const sum = sums.get(`${String(labels.get('os'))}/${String(labels.get('arch'))}` as Platform);
    if (sum) p.set('sha256', sum);
    return sum !== undefined;
  });
  if (platforms.items.length === 0) throw new Error('krew manifest: no platform was built');
  doc.commentBefore = header;
  const out = doc.toString();
  if (out.includes('{{')) throw new Error(`krew manifest: a placeholder is left: ${/\{\{[^}]*\}\}/.exec(out)?.[0]}`);
  return out;
}
