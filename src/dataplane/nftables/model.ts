import type { DumpNotice } from '../types.ts';

/**
 * Typed model of an nftables ruleset, shared by the JSON (`nft -j list ruleset`) and text
 * (`nft list ruleset`, `nft -f` input) parsers. Literals keep the spelling of the dump;
 * the walker interprets them with the type of the expression they are compared to.
 */

export type NftExpr =
  /** `ip daddr`, `th dport`, `tcp dport`, ... */
  | { kind: 'payload'; protocol: string; field: string }
  /** `meta l4proto`, `meta mark` (text `mark` is the same). */
  | { kind: 'meta'; key: string }
  | { kind: 'ct'; key: string; dir: string | null }
  /** `fib saddr type`, `fib daddr . iif type`. */
  | { kind: 'fib'; flags: string[]; result: string }
  | { kind: 'numgen'; mode: string; mod: number; offset: number }
  | { kind: 'concat'; items: NftExpr[] }
  | { kind: 'binop'; op: BinOp; left: NftExpr; right: NftExpr }
  /** An address, number or symbol (`tcp`, `new`, `local`) as the dump spells it. */
  | { kind: 'value'; value: string | number }
  | { kind: 'prefix'; addr: string; len: number }
  | { kind: 'range'; from: NftExpr; to: NftExpr }
  /** Comma list of flags: `ct state established,related`. */
  | { kind: 'list'; items: NftExpr[] }
  /** Anonymous set `{ a, b }` or anonymous map `{ 0 : goto x, 1 : goto y }`. */
  | { kind: 'set'; elements: NftElement[] }
  /** `@name`: a named set or map of the same table. */
  | { kind: 'setref'; name: string }
  /** `KEY map { ... }` / `KEY map @m`: a map lookup used as a value (kube-proxy 1.36: `dnat to numgen ... map`). */
  | { kind: 'map'; key: NftExpr; data: NftExpr }
  /** Kept verbatim; the walker never guesses its value. */
  | { kind: 'unknown'; text: string };

export type BinOp = '&' | '|' | '^' | '<<' | '>>';
export type MatchOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in';

export interface NftVerdict {
  kind: 'verdict';
  verdict: 'accept' | 'drop' | 'continue' | 'return' | 'jump' | 'goto';
  /** Chain for jump/goto. */
  target: string | null;
}

export interface NftElement {
  key: NftExpr;
  /** Map data: a verdict (vmap) or a value; null in plain sets. */
  data: NftVerdict | NftExpr | null;
  comment: string | null;
  /** Seconds, for elements of timeout sets (affinity entries in a live dump). */
  timeout: number | null;
  expires: number | null;
  /** 1-based line in a text dump. */
  line: number | null;
}

export type NftStatement =
  | { kind: 'match'; op: MatchOp; left: NftExpr; right: NftExpr }
  | NftVerdict
  /** `KEY vmap @map` or `KEY vmap { ... }`. */
  | { kind: 'vmap'; key: NftExpr; data: NftExpr }
  /** type/code null = plain `reject` (icmp port-unreachable). */
  | { kind: 'reject'; type: string | null; code: string | null }
  | { kind: 'nat'; type: 'dnat' | 'snat'; family: string | null; addr: NftExpr | null; port: NftExpr | null; flags: string[] }
  | { kind: 'masquerade'; flags: string[]; port: NftExpr | null }
  /** `meta mark set meta mark | 0x4000`. */
  | { kind: 'mangle'; key: NftExpr; value: NftExpr }
  | { kind: 'counter'; packets: number | null; bytes: number | null; name: string | null }
  | { kind: 'log'; prefix: string | null }
  /** `update @affinity-x { ip saddr }`. */
  | { kind: 'setop'; op: 'add' | 'update' | 'delete'; set: string; elem: NftExpr }
  | { kind: 'unknown'; text: string };

export interface NftRule {
  table: NftTable;
  chain: string;
  handle: number | null;
  comment: string | null;
  statements: NftStatement[];
  /** Rule as users see it: the source line for text dumps, rendered nft syntax for JSON. */
  text: string;
  line: number | null;
}

export interface NftChain {
  name: string;
  handle: number | null;
  /** Base chain: type (filter, nat, route), hook and numeric priority; null for regular chains. */
  base: { type: string; hook: string; priority: number; policy: 'accept' | 'drop'; device: string | null } | null;
  comment: string | null;
  /** Read on first use for `nft -j` dumps (parse-json.ts): a walk reads a few chains of 100,000. */
  readonly rules: NftRule[];
  /** rules.length, known without reading the rules. */
  ruleCount: number;
  /** A rule or a map element of the table jumps or goes here. */
  jumpedTo: boolean;
  line: number | null;
}

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  /** Key type, one entry per concatenated part: `ipv4_addr . inet_proto . inet_service`. */
  keyType: string[];
  /** Map data type (`verdict`, `ipv4_addr . inet_service`); null for sets. */
  dataType: string | null;
  flags: string[];
  timeout: number | null;
  comment: string | null;
  elements: NftElement[];
  handle: number | null;
  line: number | null;
}

export interface NftTable {
  family: string;
  name: string;
  handle: number | null;
  comment: string | null;
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

/** `unknown-expression`: the parser kept something it does not know; `layout`: odd structure. */
export interface NftNotice extends DumpNotice {
  kind: 'unknown-expression' | 'layout';
}

export interface NftRuleset {
  /** File name used in evidence and errors. */
  file: string;
  format: 'json' | 'text';
  /** nft version from the JSON metainfo, when present. */
  nftVersion: string | null;
  tables: NftTable[];
  notices: NftNotice[];
}

export const tableLabel = (t: { family: string; name: string }): string => `${t.family} ${t.name}`;

export function findTable(rs: NftRuleset, family: string, name: string): NftTable | undefined {
  return rs.tables.find((t) => t.family === family && t.name === name);
}
