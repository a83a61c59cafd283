/**
 * The page's IPv6 line (page/ipv6-statement.ts): `ok` only when a STUN server answered over IPv6; never
 * `fail`, because a page cannot tell "no IPv6" from "addresses hidden behind mDNS".
 */
import { describe, expect, it } from 'vitest';
import type { BrowserCandidate } from '../../src/report/browser-schema.js';
import { type AnswerInput, answer } from '../../src/web/page/answer.js';
import { ipv6Statement } from '../../src/web/page/ipv6-statement.js';
import { candidateRow } from '../support/browser-rows.js';

const candidate = (type: BrowserCandidate['type'], address: string, url: string | null = null) => ({
  ...candidateRow('stun-1', type, 10, address),
  url,
});

describe('ipv6Statement', () => {
  it('an IPv6 srflx over UDP: IPv6 works, with the mapped address and server', () => {
    const s = ipv6Statement([
      candidate('host', '100.64.0.2'),
      candidate('srflx', '2001:db8:1::2', 'stun:[2001:db8:ff::10]:3478'),
    ]);
    expect(s).toEqual({
      key: 'ipv6',
      mark: 'ok',
      text: 'IPv6 works from here',
      why: 'a STUN server saw this browser at [2001:db8:1::2]:50000 over IPv6 (stun:[2001:db8:ff::10]:3478)',
    });
  });

  it('an IPv6 host candidate without an IPv6 answer: unknown, not fail', () => {
    const s = ipv6Statement([candidate('host', '2001:db8:1::2'), candidate('srflx', '203.0.113.1')]);
    expect(s.mark).toBe('unknown');
    expect(s.text).toMatch(/has an IPv6 address, but no STUN server answered over IPv6/);
  });

  it('link-local, loopback or mDNS only: IPv6 not seen (unknown)', () => {
    for (const only of ['fe80::1', '::1', '1f2e3d4c.local']) {
      const s = ipv6Statement([candidate('host', only)]);
      expect(s).toMatchObject({ key: 'ipv6', mark: 'unknown', text: 'IPv6: not seen' });
    }
  });
});

describe('answer: the IPv6 line', () => {
  const base = {
    verdict: { code: 'udp-works', text: 'UDP works' },
    paths: [],
    udp: true,
    natPresent: true,
    mapping: 'endpoint-independent',
    signaling: null,
    peer: null,
  } as unknown as AnswerInput;

  it('comes last when the candidates are given, and not at all without them', () => {
    const withV6 = answer({ ...base, candidates: [candidate('srflx', '2001:db8:1::2')] });
    expect(withV6.statements.at(-1)).toMatchObject({ key: 'ipv6', mark: 'ok' });
    expect(answer(base).statements.some((s) => s.key === 'ipv6')).toBe(false);
  });
});
