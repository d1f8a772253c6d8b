import { readFileSync } from 'node:fs';

const DIR = new URL('../../fixtures/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/**
 * Keeps lines `from`..`to` (1-based, inclusive) of a multi-command capture and blanks the rest,
 * so parsers see one command's output while line numbers still match the fixture file.
 */
export function section(text: string, from: number, to: number): string {
  return text
    .split('\n')
    .map((l, i) => (i + 1 >= from && i + 1 <= to ? l : ''))
    .join('\n');
}

/** The minikube capture: ipvsadm --list -n is lines 2-16, ipset list starts at line 37. */
export const MINIKUBE = 'ipvs-real-minikube-ipvsadm-ipaddr-ipset.txt';
export const minikubeIpvsadm = (): string => section(fixture(MINIKUBE), 2, 16);
export const minikubeIpset = (): string => section(fixture(MINIKUBE), 37, 100000);
