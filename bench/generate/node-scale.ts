/**
 * A bundle's cluster seen with N nodes: the same services and EndpointSlices, nodes.json listing
 * N nodes, and each node directory hardlinking the dump of one of the generated nodes (node-i gets
 * node-(i mod 3)'s files), so 100 nodes cost no disk and no generation. Nodes past the third run
 * no endpoints. Lives beside the bundle in the cache (`nodes-N/`), written aside, then renamed.
 */
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Bundle } from './bundle.ts';

interface NodeList {
  items: { metadata: { name: string; labels: Record<string, string> }; spec: { podCIDR: string; podCIDRs: string[] }; status: { addresses: { type: string; address: string }[] } }[];
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The bundle directory of `base` with `count` nodes. */
export async function nodeScaleBundle(base: Bundle, count: number): Promise<string> {
  const home = join(dirname(base.dir), `nodes-${count}`);
  const dir = join(home, 'bundle');
  if (await exists(dir)) return dir;
  const partial = `${home}.partial-${process.pid}`;
  try {
    const generated = base.meta.nodes;
    const nodeList = JSON.parse(await readFile(join(base.dir, 'cluster', 'nodes.json'), 'utf8')) as NodeList;
    const items = Array.from({ length: count }, (_, i) => {
      const template = structuredClone(nodeList.items[i % generated.length]!);
      if (i >= generated.length) {
        const name = `node-${i}`;
        // Outside the generated pods' 10.200.0.0/13 and nodes' 192.168.10.0/24.
        const ip = `192.168.${11 + (i >> 8)}.${i & 255}`;
        const podCIDR = `10.${128 + (i >> 8)}.${i & 255}.0/24`;
        template.metadata = { ...template.metadata, name, labels: { ...template.metadata.labels, 'kubernetes.io/hostname': name } };
        template.spec = { podCIDR, podCIDRs: [podCIDR] };
        template.status.addresses = [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ];
      }
      return template;
    });
    await mkdir(join(partial, 'bundle', 'cluster'), { recursive: true });
    for (const file of await readdir(join(base.dir, 'cluster'))) {
      if (file !== 'nodes.json') await link(join(base.dir, 'cluster', file), join(partial, 'bundle', 'cluster', file));
    }
    await writeFile(join(partial, 'bundle', 'cluster', 'nodes.json'), JSON.stringify({ ...nodeList, items }, null, 2));
    for (let i = 0; i < count; i++) {
      const from = join(base.dir, 'nodes', generated[i % generated.length]!.name);
      const to = join(partial, 'bundle', 'nodes', items[i]!.metadata.name);
      await mkdir(to, { recursive: true });
      for (const file of await readdir(from)) await link(join(from, file), join(to, file));
    }
    await rename(partial, home);
    return dir;
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
