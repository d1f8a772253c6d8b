/**
 * What the fuzzer feeds and what must hold. Every target takes a real dump (test/fixtures,
 * examples/*), damages it with a few edits (./mutate.ts) and runs the parser and then the
 * walker on packets aimed at addresses and ports found in the seed. Invariants: only typed
 * errors (DumpParseError, NetpathError), probabilities of a walk summing to 1, a walk that ends.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { nodeHealth } from '../../src/analyzers/node-health.ts';
import { NODE_FILES } from '../../src/cluster/bundle-layout.ts';
import { parseHealthzBody, parseProxyModeAnswer } from '../../src/cluster/nodes/node-answers.ts';
import { SnapshotSource } from '../../src/cluster/nodes/snapshot.ts';
import type { NodeDump } from '../../src/cluster/source.ts';
import { explainFrom } from '../../src/pipeline/explain-svc.ts';
import fc from 'fast-check';
import { DumpParseError } from '../../src/dataplane/errors.ts';
import { iptablesModule } from '../../src/dataplane/iptables/index.ts';
import { parseIptablesDump } from '../../src/dataplane/iptables/parse.ts';
import { ipvsModule, parseIpsetList, parseIpvsadm } from '../../src/dataplane/ipvs/index.ts';
import { nftablesModule, parseNftText, createNftWalker } from '../../src/dataplane/nftables/index.ts';
import { readNodeState } from '../../src/dataplane/node-state/node-state.ts';
import { userspaceModule } from '../../src/dataplane/userspace/index.ts';
import type { WalkOutcome, WalkPacket, Walker } from '../../src/dataplane/types.ts';
import { NetpathError } from '../../src/errors.ts';
import { parseIpAddrJson } from '../../src/net/host-addresses.ts';
import { parseIP } from '../../src/net/ip.ts';
import { applyJsonEdit, applyTextEdit, jsonEdit, textEdit } from './mutate.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures');
const EXAMPLES = join(ROOT, 'examples');

const read = (path: string) => readFileSync(path, 'utf8');
// Provenance notes (*.md) sit beside the dumps and are not dumps.
const fixtures = (re: RegExp) => readdirSync(FIXTURES).filter((f) => re.test(f) && !f.endsWith('.md')).map((f) => join(FIXTURES, f));
/** Every examples/BUNDLE/nodes/NODE/FILE with this name. */
function exampleFiles(name: string): string[] {
  const out: string[] = [];
  for (const bundle of readdirSync(EXAMPLES)) {
    const nodes = join(EXAMPLES, bundle, 'nodes');
    if (!statSync(nodes, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const node of readdirSync(nodes)) {
      const f = join(nodes, node, name);
      if (statSync(f, { throwIfNoEntry: false })?.isFile()) out.push(f);
    }
  }
  return out;
}

/** A failure the fuzzer reports: an untyped error, or a broken invariant. */
export class InvariantError extends Error {}

/** Typed errors are the contract; anything else (TypeError, RangeError, stack overflow) is a bug. */
export function expectTyped(e: unknown): void {
  if (e instanceof DumpParseError || (e instanceof NetpathError && e.exitCode !== 1)) return;
  if (e instanceof InvariantError) throw e;
  const err = e instanceof Error ? e : new Error(String(e));
  throw new InvariantError(`untyped ${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`);
}

/** Probabilities of one walk sum to 1 (within 1e-9), each in [0, 1]. */
export function checkWalk(outcomes: readonly WalkOutcome[], what: string): void {
  if (!outcomes.length) throw new InvariantError(`${what}: the walk returned no outcome`);
  let sum = 0;
  for (const o of outcomes) {
    if (!(o.probability >= 0 && o.probability <= 1 + 1e-12)) throw new InvariantError(`${what}: outcome probability ${o.probability}`);
    sum += o.probability;
  }
  if (Math.abs(sum - 1) > 1e-9) throw new InvariantError(`${what}: probabilities sum to ${sum}`);
}

/** Addresses and ports named in a dump: packets aimed at them reach the interesting rules. */
function packetsOf(text: string): { v4: string[]; v6: string[]; ports: number[] } {
  const v4 = [...new Set(text.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [])].filter((a) => parseIP(a)?.family === 4).slice(0, 40);
  const v6 = [...new Set(text.match(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/gi) ?? [])].filter((a) => parseIP(a)?.family === 6).slice(0, 20);
  const ports = [...new Set([...text.matchAll(/(?:dport|:|port) ?(\d{2,5})\b/g)].map((m) => Number(m[1])).filter((p) => p > 0 && p < 65536))].slice(0, 40);
  return { v4: v4.length ? v4 : ['10.0.0.1'], v6: v6.length ? v6 : ['fd00::1'], ports: ports.length ? ports : [80] };
}

export interface PacketPick {
  family: 4 | 6;
  src: number;
  dst: number;
  port: number;
  hook: WalkPacket['hook'];
  protocol: WalkPacket['protocol'];
}

const packetPick: fc.Arbitrary<PacketPick> = fc.record({
  family: fc.constantFrom(4 as const, 4 as const, 4 as const, 6 as const),
  src: fc.nat(),
  dst: fc.nat(),
  port: fc.nat(),
  hook: fc.constantFrom('prerouting' as const, 'output' as const),
  protocol: fc.constantFrom('TCP' as const, 'TCP' as const, 'UDP' as const, 'SCTP' as const),
});

function toPacket(seed: string, p: PacketPick): WalkPacket {
  const { v4, v6, ports } = packetsOf(seed);
  const list = p.family === 4 ? v4 : v6;
  return { src: list[p.src % list.length]!, dst: list[p.dst % list.length]!, port: ports[p.port % ports.length]!, protocol: p.protocol, hook: p.hook };
}

/** Walks a few packets; each walk must end with probabilities summing to 1. Returns the walk count. */
function walkAll(walker: Walker, seed: string, picks: readonly PacketPick[], host: readonly string[]): void {
  for (const p of picks) {
    const packet = toPacket(seed, p);
    checkWalk(walker.walk(packet, { localAddresses: [...host, '127.0.0.1', '::1'] }), `${packet.src} -> ${packet.dst}:${packet.port}/${packet.protocol} ${packet.hook}`);
    walker.notices();
  }
}

export interface FuzzInput {
  seed: number;
  edits: unknown[];
  packets: PacketPick[];
}

/** One fuzz target: a name, its seeds, an input arbitrary and a check that throws InvariantError. */
export interface Target<I = FuzzInput> {
  name: string;
  seeds: string[];
  input: fc.Arbitrary<I>;
  run(input: I): void | Promise<void>;
  /** Inputs that cost milliseconds each (a deep JSON tree written and parsed): fewer of them in the unit suite. */
  costly?: boolean;
}

const edits = (edit: fc.Arbitrary<unknown>) => fc.array(edit, { minLength: 1, maxLength: 6 });

/** A text dump target: mutated seed -> parse -> walk. */
function textTarget(name: string, seeds: string[], load: (text: string) => Walker | void): Target {
  const texts = seeds.map(read);
  return {
    name,
    seeds,
    input: fc.record({ seed: fc.nat(texts.length - 1), edits: edits(textEdit), packets: fc.array(packetPick, { minLength: 0, maxLength: 3 }) }),
    run({ seed, edits, packets }) {
      const base = texts[seed]!;
      let text = base;
      for (const e of edits) text = applyTextEdit(text, e as Parameters<typeof applyTextEdit>[1]);
      let walker: Walker | void;
      try {
        walker = load(text);
        if (walker) walkAll(walker, base, packets, packetsOf(base).v4.slice(0, 2));
      } catch (e) {
        expectTyped(e);
      }
    },
  };
}

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** JSON edits, with a few text edits (cut, control characters) that leave raw text after them. */
const jsonEdits = edits(fc.oneof({ weight: 3, arbitrary: jsonEdit }, { weight: 1, arbitrary: textEdit }));

/** A parsed seed damaged by jsonEdits, as file text; null when no file can hold it. */
function damageJson(seed: unknown, list: readonly unknown[]): string | null {
  let doc: unknown = structuredClone(seed);
  let text: string | null = null;
  try {
    for (const e of list) {
      if ('line' in (e as object) || (e as { op: string }).op === 'crlf') text = applyTextEdit(text ?? JSON.stringify(doc, null, 1), e as Parameters<typeof applyTextEdit>[1]);
      else if (text === null) doc = applyJsonEdit(doc, e as Parameters<typeof applyJsonEdit>[1]);
    }
    return text ?? JSON.stringify(doc);
  } catch {
    return null; // nesting too deep for JSON.stringify itself: no file can be written from it
  }
}

/** A JSON answer or dump target: damaged seed -> parse. */
function jsonTarget(name: string, seeds: string[], parse: (text: string) => unknown): Target {
  const docs = seeds.map((f) => JSON.parse(read(f)) as unknown);
  return {
    name,
    seeds,
    costly: true,
    input: fc.record({ seed: fc.nat(docs.length - 1), edits: jsonEdits, packets: fc.constant([]) }),
    run({ seed, edits }) {
      const text = damageJson(docs[seed], edits);
      if (text === null) return;
      try {
        parse(text);
      } catch (e) {
        expectTyped(e);
      }
    },
  };
}

/** Every number the analysis reports is finite: NaN or Infinity would print as a figure or vanish as null in JSON. */
function checkFinite(v: unknown, at: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new InvariantError(`${at} is ${v}`);
  if (Array.isArray(v)) v.forEach((c, i) => checkFinite(c, `${at}[${i}]`));
  else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) checkFinite(c, `${at}.${k}`);
}

/**
 * One node-state file of a real node dump damaged, the others left as captured, then what the
 * `node` command does with them (src/commands/node.ts healthOf): readNodeState, then nodeHealth
 * judged at kube-proxy's healthz currentTime, so the analysis meets hostile values too.
 */
function nodeStateTarget(name: string, file: string, seeds: string[], json: boolean): Target {
  const node = join(EXAMPLES, 'real-kernel/nodes/node-a');
  const base = new Map(readdirSync(node).filter((f) => statSync(join(node, f)).isFile()).map((f) => [f, read(join(node, f))]));
  const location = 'nodes/node-a';
  const iptables = parseIptablesDump(base.get(NODE_FILES.iptablesSave)!, `${location}/${NODE_FILES.iptablesSave}`);
  const texts = seeds.map(read);
  const docs = json ? texts.map((t) => JSON.parse(t) as unknown) : [];
  return {
    name,
    seeds,
    costly: json,
    input: fc.record({ seed: fc.nat(texts.length - 1), edits: json ? jsonEdits : edits(textEdit), packets: fc.constant([]) }),
    run({ seed, edits }) {
      let text: string | null = texts[seed]!;
      if (json) text = damageJson(docs[seed], edits);
      else for (const e of edits) text = applyTextEdit(text, e as Parameters<typeof applyTextEdit>[1]);
      if (text === null) return;
      const dump: NodeDump = { node: 'node-a', location, proxyMode: base.get(NODE_FILES.proxyMode)!.trim(), files: new Map([...base, [file, text]]), healthz: new Map() };
      let health: unknown;
      try {
        const state = readNodeState(dump);
        health = nodeHealth({
          node: dump.node,
          mode: dump.proxyMode,
          state,
          iptables,
          nft: null,
          syncPeriod: { seconds: 30, source: 'kube-proxy default (no syncPeriod in its configuration)' },
          now: state.healthz?.currentTime ?? null,
        });
        JSON.stringify(health);
      } catch (e) {
        expectTyped(e);
        return;
      }
      checkFinite(health, `${name}: nodeHealth`);
    },
  };
}

interface BundleInput {
  bundle: number;
  file: number;
  edits: unknown[];
  archive: boolean;
}

/**
 * The bundle reader and everything after it: one file of a real example bundle damaged, read
 * as a directory or as a .tar.gz, every service explained. Each path's outcomes sum to 1.
 */
function bundleTarget(): Target<BundleInput> {
  const bundles = readdirSync(EXAMPLES).filter((b) => statSync(join(EXAMPLES, b, 'cluster'), { throwIfNoEntry: false })?.isDirectory());
  const filesOf = (b: string): string[] => {
    const out: string[] = [];
    const walkDir = (rel: string) => {
      for (const e of readdirSync(join(EXAMPLES, b, rel), { withFileTypes: true })) {
        if (e.isDirectory()) walkDir(join(rel, e.name));
        else if (e.name !== 'README.md') out.push(join(rel, e.name));
      }
    };
    walkDir('');
    return out;
  };
  const files = bundles.map(filesOf);
  let work: string | null = null;
  return {
    name: 'bundle reader (dir, .tar.gz)',
    seeds: bundles.map((b) => join(EXAMPLES, b)),
    input: fc.record({
      bundle: fc.nat(bundles.length - 1),
      file: fc.nat(),
      edits: edits(fc.oneof(jsonEdit, textEdit)),
      archive: fc.constantFrom(false, false, false, true),
    }),
    async run({ bundle, file, edits, archive }) {
      if (work === null) {
        const made = (work = mkdtempSync(join(tmpdir(), 'netpath-fuzz-')));
        process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      }
      const name = bundles[bundle]!;
      const rel = files[bundle]![file % files[bundle]!.length]!;
      const dir = join(work, name);
      rmSync(dir, { recursive: true, force: true });
      cpSync(join(EXAMPLES, name), dir, { recursive: true });
      const original = read(join(dir, rel));
      let text = original;
      let doc: unknown = rel.endsWith('.json') ? JSON.parse(original) : null;
      try {
        for (const e of edits) {
          if ('line' in (e as object) || (e as { op: string }).op === 'crlf') text = applyTextEdit(doc === null ? text : JSON.stringify(doc, null, 1), e as Parameters<typeof applyTextEdit>[1]), (doc = null);
          else if (doc !== null) doc = applyJsonEdit(doc, e as Parameters<typeof applyJsonEdit>[1]);
        }
        writeFileSync(join(dir, rel), doc === null ? text : JSON.stringify(doc));
      } catch {
        return; // nesting too deep for JSON.stringify: no file can hold it
      }
      let path = dir;
      if (archive) {
        path = join(work, `${name}.tar.gz`);
        await createTar({ gzip: true, file: path, cwd: work }, [name]);
      }
      const services = (JSON.parse(read(join(EXAMPLES, name, 'cluster/services.json'))) as { items: { metadata: { namespace: string; name: string } }[] }).items;
      try {
        const source = await SnapshotSource.open(path);
        try {
          for (const svc of services) {
            const result = await explainFrom(source, svc.metadata.namespace, svc.metadata.name, true).catch((e: unknown) => {
              // A service the damage removed is "not found" (exit 4): typed, and the next one may still be there.
              if (e instanceof NetpathError && e.exitCode === 4) return null;
              throw e;
            });
            for (const p of result?.paths ?? []) checkWalk(p.outcomes as unknown as WalkOutcome[], `${name}/${rel} ${svc.metadata.name} ${p.entry} ${p.node}`);
          }
        } finally {
          await source.close();
        }
      } catch (e) {
        expectTyped(e);
      }
    },
  };
}

export function targets(): Target<any>[] {
  const iptablesSeeds = [...fixtures(/^(iptables|userspace|ipvs-netns).*(save|rules|grep|steps|nat).*\.txt$/i), ...exampleFiles('iptables-save.txt')];
  const nftJsonSeeds = [...fixtures(/^nft-json-.*\.json$/), ...exampleFiles('nft.json')];
  const nftTextSeeds = fixtures(/\.nft$/);
  const ipvsadmSeeds = [...fixtures(/ipvsadm/), ...exampleFiles('ipvsadm.txt')];
  const ipsetSeeds = [...fixtures(/ipset/), ...exampleFiles('ipset.txt')];
  const ipvsNode = exampleFiles('ipvsadm.txt')[0]!.replace(/ipvsadm\.txt$/, '');
  const nftJson = nftJsonSeeds.map(read).map((t) => JSON.parse(t) as unknown);
  // examples/BUNDLE/nodes/NODE/healthz/PORT.json: the health-check answers capture kept.
  const healthzAnswers = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|\/)nodes\/[^/]+\/healthz\/\d+\.json$/.test(f))
    .map((f) => join(EXAMPLES, f));
  return [
    textTarget('iptables-save', iptablesSeeds, (text) => iptablesModule.load(files({ 'iptables-save.txt': text }))),
    textTarget('iptables-save (userspace)', fixtures(/^userspace/), (text) => userspaceModule.load(files({ 'iptables-save.txt': text }))),
    {
      name: 'nft JSON',
      seeds: nftJsonSeeds,
      input: fc.record({ seed: fc.nat(nftJson.length - 1), edits: jsonEdits, packets: fc.array(packetPick, { maxLength: 3 }) }),
      run({ seed, edits, packets }) {
        const body = damageJson(nftJson[seed], edits);
        if (body === null) return;
        const base = read(nftJsonSeeds[seed]!);
        try {
          walkAll(nftablesModule.load(files({ 'nft.json': body })), base, packets, packetsOf(base).v4.slice(0, 2));
        } catch (e) {
          expectTyped(e);
        }
      },
    },
    textTarget('nft text', nftTextSeeds, (text) => createNftWalker(parseNftText(text, 'ruleset.nft'))),
    textTarget('ipvsadm', ipvsadmSeeds, (text) =>
      ipvsModule.load(files({ 'ipvsadm.txt': text, 'ipset.txt': read(join(ipvsNode, 'ipset.txt')), 'iptables-save.txt': read(join(ipvsNode, 'iptables-save.txt')) })),
    ),
    textTarget('ipvsadm (parser only)', ipvsadmSeeds, (text) => void parseIpvsadm(text)),
    bundleTarget(),
    textTarget('ipset', ipsetSeeds, (text) => {
      parseIpsetList(text);
      return ipvsModule.load(files({ 'ipvsadm.txt': read(join(ipvsNode, 'ipvsadm.txt')), 'ipset.txt': text, 'iptables-save.txt': read(join(ipvsNode, 'iptables-save.txt')) }));
    }),
    jsonTarget('ip -j addr', [...fixtures(/^ip-addr-.*\.json$/), ...exampleFiles(NODE_FILES.ipAddr)], (text) => parseIpAddrJson(text, NODE_FILES.ipAddr)),
    textTarget('proxy-mode answer', exampleFiles(NODE_FILES.proxyMode), (text) => void parseProxyModeAnswer(text, NODE_FILES.proxyMode)),
    jsonTarget('health-check answer', healthzAnswers, (text) => parseHealthzBody(text, 'healthz/30549.json')),
    nodeStateTarget('conntrack -L', NODE_FILES.conntrack, [...fixtures(/^conntrack-L-.*\.txt$/), ...exampleFiles(NODE_FILES.conntrack)], false),
    nodeStateTarget('conntrack -S', NODE_FILES.conntrackStats, [...fixtures(/^conntrack-S-.*\.txt$/), ...exampleFiles(NODE_FILES.conntrackStats)], false),
    nodeStateTarget('conntrack count', NODE_FILES.conntrackCount, [...fixtures(/^conntrack-count-.*\.txt$/), ...exampleFiles(NODE_FILES.conntrackCount)], false),
    nodeStateTarget('kube-proxy metrics', NODE_FILES.kubeProxyMetrics, [...fixtures(/^kube-proxy-metrics-.*\.txt$/), ...exampleFiles(NODE_FILES.kubeProxyMetrics)], false),
    nodeStateTarget('kube-proxy healthz', NODE_FILES.kubeProxyHealthz, [...fixtures(/^kube-proxy-healthz-.*\.json$/), ...exampleFiles(NODE_FILES.kubeProxyHealthz)], true),
  ];
}
