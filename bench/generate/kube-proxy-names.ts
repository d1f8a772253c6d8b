/** kube-proxy's chain and set names (pkg/proxy/iptables and pkg/proxy/nftables proxier.go). */
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Go's base32.StdEncoding, without the padding (every caller keeps a prefix of it). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** iptables: `portProtoHash` (SVC/SVL/EXT/FW) and the SEP hash that adds the endpoint string. */
export function iptablesChain(prefix: 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-', portName: string, protocol: string): string {
  return prefix + base32(sha256(portName + protocol)).slice(0, 16);
}

export function iptablesSepChain(portName: string, protocol: string, endpoint: string): string {
  return 'KUBE-SEP-' + base32(sha256(portName + protocol + endpoint)).slice(0, 16);
}

/** nftables: `hashAndTruncate`, 8 hash characters, a dash and the readable name (cut at 240 with "..."). */
export function nftName(prefix: string, base: string): string {
  const name = `${base32(sha256(base)).slice(0, 8)}-${base}`;
  return prefix + (name.length > 240 ? `${name.slice(0, 237)}...` : name);
}
