import { createHash } from 'node:crypto';

/** RFC 4648 base32 (Go's base32.StdEncoding, padding left off: only prefixes are used). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xfff; // at most 12 unread bits are ever pending
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * kube-proxy iptables' KUBE-SVC chain of a service port: "KUBE-SVC-" + the first 16 base32
 * characters of sha256(servicePortName + protocol) (pkg/proxy/iptables/proxier.go portProtoHash),
 * e.g. servicePortName "default/kubernetes:https", protocol "tcp".
 */
export const iptablesServiceChain = (servicePortName: string, protocol: string) =>
  `KUBE-SVC-${base32(sha256(servicePortName + protocol)).slice(0, 16)}`;

/**
 * kube-proxy nftables' service chain: "service-" + the first 8 base32 characters of
 * sha256("NS/NAME/PROTO/PORT") + "-" + that name (pkg/proxy/nftables/proxier.go hashAndTruncate
 * of servicePortChainNameBase; names this short are not truncated).
 */
export function nftablesServiceChain(namespace: string, name: string, protocol: string, port: string): string {
  const base = `${namespace}/${name}/${protocol}/${port}`;
  return `service-${base32(sha256(base)).slice(0, 8)}-${base}`;
}
