import { readFileSync } from 'node:fs';
import { parseIpsetList, ipvsModule } from '../../src/dataplane/ipvs/index.ts';
import { iptablesModule } from '../../src/dataplane/iptables/index.ts';
const ipset = readFileSync('examples/mixed-modes/nodes/node-ipvs/ipset.txt', 'utf8');
for (const variant of [ipset.replace(/\n/g, '\r\n'), ipset.replace(/^(\d+\.\d+\.\d+\.\d+.*)$/m, '$1\r'), ipset.replace(/^(\d+\.\d+\.\d+\.\d+)/m, '\r$1')]) {
  try { const l = parseIpsetList(variant); console.log('ipset ok'); } catch (e) { console.log('ipset', (e as Error).name, (e as Error).message.slice(0, 200)); }
}
const n = 2000;
let t = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n';
for (let i = 0; i < n; i++) t += `:C${i} - [0:0]\n`;
t += '-A PREROUTING -j C0\n';
for (let i = 0; i < n - 1; i++) t += `-A C${i} -j C${i + 1}\n`;
t += '-A KUBE-SERVICES -j RETURN\nCOMMIT\n';
try { const w = iptablesModule.load(new Map([['iptables-save.txt', t]])); console.log(w.walk({ src: '10.0.0.1', dst: '10.0.0.2', port: 80, protocol: 'TCP', hook: 'prerouting' }, { localAddresses: [] }).length); } catch (e) { console.log('ipt', (e as Error).name, (e as Error).message.slice(0, 200)); }
