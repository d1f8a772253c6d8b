/**
 * C0 controls (but tab and newline), DEL and C1 controls: ESC, OSC (ESC ]) and CSI (U+009B)
 * start terminal sequences that can recolour, retitle or hide output, so text read from the API
 * or from dumps (port names, rule comments, node output) must never reach the terminal raw.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** A string with each control character written as `\xHH`, visible and inert. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A deep copy of a result with every string escaped; renderers then add their own colours. */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeStrings(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)])) as T;
  }
  return value;
}
