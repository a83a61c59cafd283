/**
 * The dual-stack probe's pure parts (issue 16 §2): the per-family plain line (a stateful IPv6 firewall without
 * NAT, NAT66), the block of a family that was not tested, the "no route / no server" decision made without
 * opening a socket, the kernel route check on loopback, and the text block per family.
 */
import { describe, expect, it } from 'vitest';
import { renderFamilyBlocks } from '../../src/cli/render/probe-families.js';
import type { Verdicts } from '../../src/client/nat-probe/classify.js';
import { otherFamily, type ResolvedServer } from '../../src/client/nat-probe/dual-stack.js';
import { familySummary, untestedFamily } from '../../src/client/nat-probe/family-verdict.js';
import { routeToward } from '../../src/client/transport/route-toward.js';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { familyProbeSchema } from '../../src/report/probe-family-schema.js';
import { transportAddress } from '../../src/wire/address.js';

type SummaryInput = Pick<Verdicts, 'natPresent' | 'filtering' | 'summary' | 'udpStatus'>;
const works = (over: Partial<SummaryInput>): SummaryInput => ({
  natPresent: false,
  filtering: 'address-and-port-dependent',
  summary: 'the classifier line',
  udpStatus: 'works',
  ...over,
});

describe('familySummary', () => {
  it('IPv6, no NAT, address-and-port-dependent filtering: a stateful IPv6 firewall (RFC 6092)', () => {
    expect(familySummary('IPv6', works({}))).toMatch(
      /^No NAT but filtering \(a stateful IPv6 firewall, RFC 6092\)/,
    );
    expect(familySummary('IPv6', works({ filtering: 'address-dependent' }))).toMatch(/RFC 6092/);
  });

  it('never says firewall when filtering is unknown or endpoint-independent, or for IPv4', () => {
    expect(familySummary('IPv6', works({ filtering: null }))).toBe('the classifier line');
    expect(familySummary('IPv6', works({ filtering: 'endpoint-independent' }))).toBe('the classifier line');
    expect(familySummary('IPv4', works({}))).toBe('the classifier line');
  });

  it('IPv6 behind a NAT is named NAT66 / NPTv6; an IPv6 without UDP answer keeps the classifier line', () => {
    expect(familySummary('IPv6', works({ natPresent: true }))).toBe(
      'IPv6 is translated (NAT66 / NPTv6): the classifier line',
    );
    expect(familySummary('IPv6', works({ natPresent: null, udpStatus: 'server-unreachable' }))).toBe(
      'the classifier line',
    );
  });
});

describe('untestedFamily', () => {
  it('is schema-valid, tested false, every verdict null with the reason, "not-tested" (never "blocked")', () => {
    const f = untestedFamily('IPv6', 'no IPv6 on this host: no route to 2001:db8::1 (ENETUNREACH)', [
      'stun:[2001:db8::1]:3478',
    ]);
    expect(familyProbeSchema.parse(f)).toEqual(f);
    expect(f).toMatchObject({
      family: 'ipv6',
      tested: false,
      udp: null,
      udpStatus: 'not-tested',
      natPresent: null,
      mapping: null,
      filtering: null,
      legacyNatType: null,
      servers: ['stun:[2001:db8::1]:3478'],
    });
    for (const k of ['tested', 'udp', 'natPresent', 'mapping', 'filtering', 'legacyNatType'])
      expect(f.reasons[k]).toMatch(/ENETUNREACH/);
  });
});

const server = (url: string, ...ips: string[]): ResolvedServer => {
  const addresses = ips.map((ip) => transportAddress(ip, 3478));
  return { url, transport: 'udp', address: addresses[0] ?? null, addresses, resolveError: null };
};

/** A context whose sockets must never be opened: the decision is made before any. */
const noSockets = {
  streams: Promise.resolve([]),
  open: () => Promise.reject(new Error('a socket was opened')),
  rtt: new RttEstimator(),
  signal: new AbortController().signal,
};

describe('otherFamily: decided before any socket', () => {
  it('no server of the family: not tested, saying so', async () => {
    const out = await otherFamily(
      'IPv6',
      [server('stun:203.0.113.10:3478', '203.0.113.10')],
      { IPv4: Promise.resolve(null), IPv6: Promise.resolve(null) },
      noSockets,
    );
    expect(out).toEqual({ family: 'IPv6', untested: 'no IPv6 server given or resolved', servers: [] });
  });

  it('a name with A and AAAA is one target per family; no route for IPv6: not tested with the error', async () => {
    const out = await otherFamily(
      'IPv6',
      [server('stun:stun.example.org:3478', '203.0.113.10', '2001:db8::10')],
      { IPv4: Promise.resolve({ address: '100.64.0.2' }), IPv6: Promise.resolve({ error: 'ENETUNREACH' }) },
      noSockets,
    );
    expect(out).toEqual({
      family: 'IPv6',
      untested:
        'no IPv6 on this host: no route to 2001:db8::10 (ENETUNREACH); this is not a firewall, IPv6 was not tried',
      servers: ['stun:stun.example.org:3478'],
    });
  });
});

describe('routeToward', () => {
  it('answers the local address the kernel would send from, sending nothing', async () => {
    expect(await routeToward(transportAddress('127.0.0.1', 9))).toEqual({ address: '127.0.0.1' });
  });
});

describe('renderFamilyBlocks', () => {
  it('one block per family; an untested one in one line with its reason', () => {
    const v6 = untestedFamily('IPv6', 'no IPv6 server given or resolved', []);
    const text = renderFamilyBlocks({ ipv6: v6 }).join('\n');
    expect(text).toMatch(/IPv6.*not tested — no IPv6 server given or resolved/);
    expect(renderFamilyBlocks({})).toEqual([]);
  });
});
