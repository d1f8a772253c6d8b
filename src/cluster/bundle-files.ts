/**
 * Reading a bundle someone else wrote: only regular files and real directories inside the
 * bundle root (no symlinks out of it, no FIFOs or devices that hang or never end), each file
 * up to a size cap, and cluster files checked against the schema of the fields netpath uses.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { badInput } from '../errors.ts';
import { BUNDLE_SCHEMAS } from './bundle-schemas.ts';

/** V8 strings end near 512 MiB; dumps of the largest clusters are tens of MiB. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

/** The kind of a path as lstat sees it, for messages. */
function kindOf(s: import('node:fs').Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  if (s.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** Each directory on `rel`'s way (below the root) must be a real directory, not a link out. */
async function checkDirs(root: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const s = await lstat(join(root, dir)).catch(() => null);
    if (s && !s.isDirectory()) throw badInput(`snapshot: ${dir} is ${kindOf(s)}; a bundle holds only regular files and directories`);
  }
}

/** null when the file does not exist. */
export async function readBundleFile(root: string, rel: string): Promise<string | null> {
  await checkDirs(root, rel);
  const s = await lstat(join(root, rel)).catch(() => null);
  if (!s) return null;
  if (!s.isFile()) throw badInput(`${rel}: is ${kindOf(s)}; a bundle holds only regular files and directories`);
  // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO after lstat still cannot hang or escape.
  const fh = await open(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    throw badInput(`${rel}: cannot open (${e.code ?? e.message})`);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw badInput(`${rel}: is ${kindOf(st)}; a bundle holds only regular files and directories`);
    if (st.size > MAX_FILE_BYTES) throw badInput(`${rel}: ${Math.ceil(st.size / MIB)} MiB; netpath reads bundle files up to ${MAX_FILE_BYTES / MIB} MiB`);
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

let validators: Promise<Map<string, ValidateFunction>> | null = null;

/** ajv is loaded and the schemas compiled only when a bundle is read (a live run never pays). */
function compiled(): Promise<Map<string, ValidateFunction>> {
  validators ??= import('ajv').then(({ default: Ajv }) => {
    const ajv = new (Ajv as unknown as typeof import('ajv').default)({ allErrors: false, strict: false });
    return new Map(Object.entries(BUNDLE_SCHEMAS).map(([file, schema]) => [file, ajv.compile(schema)]));
  });
  return validators;
}

/** `/items/3/spec/ports/0/port` -> `items[3].spec.ports[0].port`. */
function itemPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** Throws exit 3 naming the file and the item, e.g. `cluster/services.json: items[3].spec.ports[0].port must be integer`. */
export async function validateClusterFile(file: string, rel: string, doc: unknown): Promise<void> {
  const validate = (await compiled()).get(file);
  if (!validate || validate(doc)) return;
  const err = validate.errors?.[0];
  const where = err ? itemPath(err.instancePath) : '';
  throw badInput(`${rel}: ${where ? `${where} ` : ''}${err?.message ?? 'does not match the expected shape'}`);
}
