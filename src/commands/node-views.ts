import type { NodeView } from '../analyzers/inputs.ts';
import type { NodeDump } from '../cluster/source.ts';
import { DumpParseError } from '../dataplane/errors.ts';
import { DATAPLANES } from '../dataplane/registry.ts';
import { loadDataplane } from '../dataplane/select-mode.ts';
import { badInput } from '../errors.ts';

/** Parses each node's dump into a walker; nodes without a dump get an empty view (model basis). */
export function nodeViews(nodeNames: readonly string[], dumps: ReadonlyMap<string, NodeDump>): NodeView[] {
  return nodeNames.map((node) => {
    const dump = dumps.get(node);
    if (!dump) {
      return { node, mode: null, modeSource: null, reportedMode: null, walker: null, location: null, problems: [], healthz: new Map() };
    }
    try {
      const loaded = loadDataplane(dump.proxyMode, dump.files, DATAPLANES);
      return {
        node,
        mode: loaded.mode,
        modeSource: loaded.modeSource,
        reportedMode: dump.proxyMode,
        walker: loaded.walker,
        location: dump.location,
        problems: loaded.problems,
        healthz: dump.healthz,
      };
    } catch (e) {
      if (e instanceof DumpParseError) throw badInput(`${dump.location}/${e.message}`);
      throw e;
    }
  });
}
