/**
 * Every dump a node directory holds is read in full, whichever mode is walked: a file that was
 * given and cannot be parsed is an error (exit 3 with file and line), never a quiet fallback to
 * the model.
 */
import { DumpParseError } from './errors.ts';
import { dumpFiles } from './registry.ts';
import { parsedDump } from './parsed-dump.ts';
import type { NodeFiles } from './types.ts';

/** Dump files present in `files`, in capture order (every registered module's files). */
export const dumpFilesIn = (files: NodeFiles): string[] => dumpFiles().map((d) => d.name).filter((f) => files.has(f));

/**
 * Empty or binary text is no dump of any kind. A bundle holds the files of kube-proxy's mode,
 * and in every mode kube-proxy leaves output there (its chains, its table with nft's metainfo,
 * its sets and virtual servers), so an empty file is taken as a capture that failed.
 */
export function checkDumpText(file: string, text: string): void {
  if (text.trim() === '') throw new DumpParseError(file, 1, 'the file is empty (an interrupted or failed capture?)');
  // Control bytes other than tab/CR/LF, or bytes that were not UTF-8 (decoded as U+FFFD).
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.exec(text);
  if (bad) {
    const before = text.slice(0, bad.index);
    const line = before.split('\n').length;
    const column = bad.index - before.lastIndexOf('\n');
    const byte = bad[0] === '\ufffd' ? 'a byte that is not UTF-8' : `byte 0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
    throw new DumpParseError(file, line, `binary data (${byte} at column ${column}): not a text dump`);
  }
}

/** Checks and parses each dump file not in `parsed` (those the walked mode already read). */
export function parseRemainingDumps(files: NodeFiles, parsed: readonly string[]): void {
  for (const dump of dumpFiles()) {
    if (files.has(dump.name) && !parsed.includes(dump.name)) parsedDump(files, dump);
  }
}
