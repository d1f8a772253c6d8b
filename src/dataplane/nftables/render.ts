import type { NftElement, NftExpr, NftRule, NftStatement, NftVerdict } from './model.ts';

/**
 * Renders the model as nft syntax, spelled the way `nft list ruleset` (nftables 1.0.x) prints it,
 * so a rule from `nft -j` can be compared with what users see on the node.
 */

/** meta keys nft prints without the `meta` keyword. */
const BARE_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iiftype', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'ibrname', 'obrname', 'iifgroup', 'oifgroup', 'cgroup']);
const STRING_META = new Set(['iifname', 'oifname', 'ibrname', 'obrname', 'iifkind', 'oifkind']);

/** Renders `e`; `against` is the expression a literal is compared with (marks print as 0x%08x, names quoted). */
export function renderExpr(e: NftExpr, against: NftExpr | null = null): string {
  switch (e.kind) {
    case 'payload':
      return `${e.protocol} ${e.field}`;
    case 'meta':
      return BARE_META.has(e.key) ? e.key : `meta ${e.key}`;
    case 'ct':
      return `ct ${e.dir === null ? '' : `${e.dir} `}${e.key}`;
    case 'fib':
      return `fib ${e.flags.join(' . ')} ${e.result}`;
    case 'numgen':
      return `numgen ${e.mode} mod ${e.mod}${e.offset ? ` offset ${e.offset}` : ''}`;
    case 'concat':
      return e.items.map((x, i) => renderExpr(x, against?.kind === 'concat' ? (against.items[i] ?? null) : null)).join(' . ');
    case 'binop':
      return `${renderExpr(e.left)} ${e.op} ${renderExpr(e.right, e.left)}`;
    case 'value':
      return formatValue(e.value, against);
    case 'prefix':
      return `${e.addr}/${e.len}`;
    case 'range':
      return `${renderExpr(e.from, against)}-${renderExpr(e.to, against)}`;
    case 'list':
      return e.items.map((x) => renderExpr(x, against)).join(',');
    case 'set':
      return `{ ${e.elements.map((x) => renderElement(x, against)).join(', ')} }`;
    case 'setref':
      return `@${e.name}`;
    case 'map':
      return `${renderExpr(e.key)} map ${renderExpr(e.data)}`;
    case 'unknown':
      return e.text;
  }
}

function formatValue(v: string | number, against: NftExpr | null): string {
  const kind = valueStyle(against);
  if (kind === 'mark' && typeof v === 'number') return `0x${v.toString(16).padStart(8, '0')}`;
  if (kind === 'string') return JSON.stringify(String(v));
  return String(v);
}

function valueStyle(e: NftExpr | null): 'mark' | 'string' | null {
  if (!e) return null;
  if (e.kind === 'binop') return valueStyle(e.left);
  if ((e.kind === 'meta' || e.kind === 'ct') && e.key === 'mark') return 'mark';
  if (e.kind === 'meta' && STRING_META.has(e.key)) return 'string';
  return null;
}

function renderVerdict(v: NftVerdict): string {
  return v.target === null ? v.verdict : `${v.verdict} ${v.target}`;
}

/** A set or map element as nft prints it: `tcp . 3001 comment "ns2/svc2:p80" : drop`. */
export function renderElement(el: NftElement, against: NftExpr | null = null): string {
  let s = renderExpr(el.key, against);
  if (el.timeout !== null) s += ` timeout ${formatDuration(el.timeout)}`;
  if (el.expires !== null) s += ` expires ${formatDuration(el.expires)}`;
  if (el.comment !== null) s += ` comment ${JSON.stringify(el.comment)}`;
  if (el.data) s += ` : ${el.data.kind === 'verdict' ? renderVerdict(el.data) : renderExpr(el.data)}`;
  return s;
}

function renderStatement(st: NftStatement): string {
  switch (st.kind) {
    case 'match': {
      // nft omits `==` (and the implicit flag test) except after a binary operation.
      const implicit = (st.op === '==' || st.op === 'in') && st.left.kind !== 'binop';
      return `${renderExpr(st.left)} ${implicit ? '' : `${st.op} `}${renderExpr(st.right, st.left)}`;
    }
    case 'verdict':
      return renderVerdict(st);
    case 'vmap':
      return `${renderExpr(st.key)} vmap ${renderExpr(st.data, st.key)}`;
    case 'reject':
      return st.type === null ? 'reject' : `reject with ${st.type}${st.code === null ? '' : ` ${st.code}`}`;
    case 'nat': {
      const addr = st.addr ? renderExpr(st.addr) : '';
      const host = st.port && addr.includes(':') ? `[${addr}]` : addr;
      const port = st.port ? `:${renderExpr(st.port)}` : '';
      const flags = st.flags.length ? ` ${st.flags.join(',')}` : '';
      // A map yielding `address . port` pairs is written `dnat ip addr . port to ... map { ... }`.
      const pairs = st.addr?.kind === 'map' && st.addr.data.kind === 'set' && st.addr.data.elements.some((e) => e.data?.kind === 'concat');
      return `${st.type}${st.family ? ` ${st.family}` : ''}${pairs ? ' addr . port' : ''} to ${host}${port}${flags}`;
    }
    case 'masquerade':
      return `masquerade${st.port ? ` to :${renderExpr(st.port)}` : ''}${st.flags.length ? ` ${st.flags.join(',')}` : ''}`;
    case 'mangle':
      return `${renderExpr(st.key)} set ${renderExpr(st.value, st.key)}`;
    case 'counter':
      if (st.name !== null) return `counter name ${JSON.stringify(st.name)}`;
      return st.packets === null ? 'counter' : `counter packets ${st.packets} bytes ${st.bytes ?? 0}`;
    case 'log':
      return st.prefix === null ? 'log' : `log prefix ${JSON.stringify(st.prefix)}`;
    case 'setop':
      return `${st.op} @${st.set} { ${renderExpr(st.elem)} }`;
    case 'unknown':
      return st.text;
  }
}

/** The rule as one line of `nft list ruleset`, without the handle. */
export function renderRule(rule: Pick<NftRule, 'statements' | 'comment'>): string {
  const body = rule.statements.map(renderStatement).join(' ');
  return rule.comment === null ? body : `${body} comment ${JSON.stringify(rule.comment)}`;
}

/** Seconds as nft prints durations: 10800 -> `3h`, 90 -> `1m30s`. */
export function formatDuration(seconds: number): string {
  let ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) out += `${n}${unit}`;
    ms -= n * size;
  }
  return out;
}
