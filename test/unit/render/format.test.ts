import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exactFraction,
  formatAddress,
  formatFactor,
  formatLocation,
  formatPercent,
  formatShare,
  formatSnat,
  truncate,
  visibleWidth,
  wrapText,
} from '../../../src/render/format.ts';

describe('formatShare', () => {
  it('gives one decimal and the fraction where the percentage is rounded', () => {
    assert.equal(formatShare(0.3333333333), '33.3% (1/3)'); // as kube-proxy writes 1/3
    assert.equal(formatShare(0.33333333349), '33.3% (1/3)'); // as iptables-save prints it back
    assert.equal(formatShare(2 / 3), '66.7% (2/3)');
    assert.equal(formatShare((1 / 3) * 0.5), '16.7% (1/6)');
    assert.equal(formatShare(1 / 7), '14.3% (1/7)');
  });

  it('leaves out the fraction when the percentage is already exact', () => {
    assert.equal(formatShare(0.5), '50.0%');
    assert.equal(formatShare(0.50000000023), '50.0%'); // 1/2 after u32 quantisation
    assert.equal(formatShare(0.125), '12.5%'); // 1/8 = 12.5% exactly
    assert.equal(formatShare(0.25), '25.0%');
    assert.equal(formatShare(1), '100.0%');
    assert.equal(formatShare(0), '0.0%');
  });

  it('shows no fraction for shares that are not small fractions', () => {
    assert.equal(formatShare(0.123), '12.3%');
    assert.equal(exactFraction(0.123), null);
    assert.equal(exactFraction(1 / 23), null); // denominators above 20 are not "small"
  });

  it('never rounds a non-zero share to 0.0% or a partial one to 100.0%', () => {
    assert.equal(formatPercent(0.0001), '<0.1%');
    assert.equal(formatPercent(0.9999), '>99.9%');
    assert.equal(formatPercent(0.0005), '0.1%'); // 0.05% rounds up to 0.1%
  });
});

describe('addresses and cells', () => {
  it('formats IP:port, bracketing IPv6', () => {
    assert.equal(formatAddress('10.96.0.10', 53), '10.96.0.10:53');
    assert.equal(formatAddress('fd00:10:96::a', 443), '[fd00:10:96::a]:443');
  });

  it('says where a step was read', () => {
    assert.equal(formatLocation({ file: 'iptables-save.txt', line: 42 }), 'iptables-save.txt:42');
    assert.equal(formatLocation({ file: 'nft.json', line: null, handle: 17 }), 'nft.json handle 17');
    assert.equal(formatLocation({ line: null }), 'model');
  });

  it('turns sourceIPPreserved into the SNAT column and formats the imbalance factor', () => {
    assert.equal(formatSnat(false), 'yes');
    assert.equal(formatSnat(true), 'no');
    assert.equal(formatSnat(null), '-');
    assert.equal(formatFactor(2), '2.00');
    assert.equal(formatFactor(4 / 3), '1.33');
    assert.equal(formatFactor(null), '-');
  });
});

describe('truncate and wrapText', () => {
  it('cuts to the width with an ellipsis', () => {
    assert.equal(truncate('abcdefghij', 5), 'abcd…');
    assert.equal(truncate('abcde', 5), 'abcde');
    assert.equal(visibleWidth('\u001b[32mDNAT\u001b[39m…'), 5);
  });

  it('wraps at spaces and hard-breaks words longer than the width', () => {
    assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
    assert.deepEqual(wrapText('abcdefghij xy', 4), ['abcd', 'efgh', 'ij', 'xy']);
    assert.deepEqual(wrapText('', 10), ['']);
  });
});
