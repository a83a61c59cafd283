/**
 * Property tests of `shared/address-text.ts` (fast-check) against Node's own `net` module: the browser-safe
 * IP-literal check says what `net.isIP`/`isIPv4`/`isIPv6` say, for generated valid addresses (fast-check's
 * ipV4/ipV6 arbitraries, with zone ids), for near-misses built from the characters addresses are made of,
 * and for arbitrary strings; `hostPort` brackets exactly the IPv6 literals among IP literals and reads back.
 */
import { isIP, isIPv4 as nodeIsIPv4, isIPv6 as nodeIsIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostPort, ipFamily, isIPv4, isIPv6, unbracketed } from '../../src/shared/address-text.js';

const NODE_FAMILY = { 0: null, 4: 'IPv4', 6: 'IPv6' } as const;

/** Strings over the characters of IP literals (hex digits, `:`, `.`, `%`, a zone letter), 0–45 long. */
const addressy = fc
  .array(fc.constantFrom(...'0123456789abcdefABCDEF:.%z-'.split('')), { maxLength: 45 })
  .map((cs) => cs.join(''));

/** A valid IPv6 address with one edit (a character dropped, doubled or replaced): the hard near-misses. */
const mutatedV6 = fc
  .tuple(fc.ipV6(), fc.nat(), fc.constantFrom('drop', 'double', ':', '.', 'g', '0'))
  .map(([a, n, edit]) => {
    const i = n % a.length;
    if (edit === 'drop') return a.slice(0, i) + a.slice(i + 1);
    if (edit === 'double') return a.slice(0, i) + a[i] + a.slice(i);
    return a.slice(0, i) + edit + a.slice(i + 1);
  });

const zoned = fc
  .tuple(fc.ipV6(), fc.stringMatching(/^[0-9a-zA-Z.:%-]{0,6}$/))
  .map(([a, zone]) => `${a}%${zone}`);

function agreesWithNode(text: string): void {
  expect(ipFamily(text)).toBe(NODE_FAMILY[isIP(text) as 0 | 4 | 6]);
  expect(isIPv4(text)).toBe(nodeIsIPv4(text));
  expect(isIPv6(text)).toBe(nodeIsIPv6(text));
}

describe('IP literals without node:net, as node:net reads them', () => {
  it('valid IPv4 and IPv6 addresses (fast-check ipV4, ipV4Extended, ipV6)', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6()), agreesWithNode), {
      numRuns: 5000,
    });
  });

  it('IPv6 with a zone id, and valid IPv6 addresses with one character edited', () => {
    fc.assert(fc.property(fc.oneof(zoned, mutatedV6), agreesWithNode), { numRuns: 10_000 });
  });

  it('strings of address characters, and any string', () => {
    fc.assert(fc.property(fc.oneof(addressy, fc.string(), fc.string({ unit: 'binary' })), agreesWithNode), {
      numRuns: 10_000,
    });
  });

  it.each([
    ['::', 'IPv6'],
    ['::1', 'IPv6'],
    ['1:2:3:4:5:6:7::', 'IPv6'],
    ['::ffff:192.0.2.1', 'IPv6'],
    ['64:ff9b::192.0.2.33', 'IPv6'],
    ['fe80::1%eth0', 'IPv6'],
    ['192.0.2.1', 'IPv4'],
    ['0.0.0.0', 'IPv4'],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6::7:8', null],
    ['1::2::3', null],
    [':::', null],
    ['::1%', null],
    ['192.0.2.1::', null],
    ['[::1]', null],
    ['01.2.3.4', null],
    ['256.1.1.1', null],
    ['example.org', null],
  ])('%s → %s, as node:net', (text, family) => {
    expect(ipFamily(text)).toBe(family);
    agreesWithNode(text);
  });
});

describe('hostPort', () => {
  it('brackets an IPv6 literal, never an IPv4 one, and the address reads back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 65535 }), (address, port) => {
        const text = hostPort(address, port);
        const colon = text.lastIndexOf(':');
        expect(text.startsWith('[')).toBe(nodeIsIPv6(address));
        expect(Number(text.slice(colon + 1))).toBe(port);
        expect(unbracketed(text.slice(0, colon))).toBe(address);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a host name and an already bracketed host as they are', () => {
    expect(hostPort('turn.example.org', 5349)).toBe('turn.example.org:5349');
    expect(hostPort('[::1]', 8443)).toBe('[::1]:8443');
    expect(hostPort('fe80::1%eth0', 3478)).toBe('[fe80::1%eth0]:3478');
  });
});
