/**
 * The one ICE-URL parser, `shared/ice-url.ts` (RFC 7064 §3.1, RFC 7065 §3.1): what it reads, what it flags
 * for the callers' policies (`user@`, other query parameters), its typed refusals, and that `iceUrlText`
 * writes what it reads back (fast-check round trip over IP literals, host names, ports and transports).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type IceScheme,
  iceUrlText,
  parseIceServerUrl,
  STUN_DEFAULT_PORT,
  STUNS_DEFAULT_PORT,
} from '../../src/shared/ice-url.js';

describe('parseIceServerUrl', () => {
  it('the RFC default ports: 3478 for stun:/turn:, 5349 for stuns:/turns:', () => {
    expect([STUN_DEFAULT_PORT, STUNS_DEFAULT_PORT]).toEqual([3478, 5349]);
  });

  it.each([
    ['stun:example.org', { scheme: 'stun', secure: false, host: 'example.org', port: 3478 }],
    ['stuns:example.org', { scheme: 'stuns', secure: true, host: 'example.org', port: 5349 }],
    ['turn:Example.org:80', { scheme: 'turn', host: 'Example.org', port: 80, defaultPortApplied: false }],
    ['turns:[2001:db8::1]', { scheme: 'turns', host: '2001:db8::1', port: 5349, defaultPortApplied: true }],
    ['TURN:h?transport=TCP', { scheme: 'turn', transport: 'tcp' }],
    ['turn:h?Transport=udp', { transport: 'udp', extraQuery: false }],
    ['  stun://h:3479  ', { scheme: 'stun', host: 'h', port: 3479, userinfo: false }],
    ['turn:[::ffff:192.0.2.1]:65535', { host: '::ffff:192.0.2.1', port: 65535 }],
  ])('%s', (text, expected) => {
    const r = parseIceServerUrl(text);
    expect(r.ok).toBe(true);
    expect(r.ok && r.url).toMatchObject(expected);
  });

  it('a whole result: nothing outside the RFC grammar', () => {
    expect(parseIceServerUrl('turn:203.0.113.10:3479?transport=udp')).toEqual({
      ok: true,
      url: {
        scheme: 'turn',
        secure: false,
        host: '203.0.113.10',
        port: 3479,
        defaultPortApplied: false,
        transport: 'udp',
        userinfo: false,
        extraQuery: false,
      },
    });
  });

  it.each([
    ['turn:alice:pw@h', true, false, undefined],
    ['turn:h?transport=tcp&secret=x', false, true, 'tcp'],
    ['turn:h?transport=udp&transport=tcp', false, true, 'tcp'],
    ['turn:h?', false, true, undefined],
    ['turn:h?transport', false, true, undefined],
    ['stuns:h?transport=udp', false, false, 'udp'],
  ])(
    '%s: parsed, userinfo %s, extraQuery %s, transport %s (the caller decides)',
    (text, userinfo, extra, t) => {
      const r = parseIceServerUrl(text);
      expect(r.ok && r.url).toMatchObject({ host: 'h', userinfo, extraQuery: extra, transport: t });
    },
  );

  it.each([
    ['http://example.org', 'scheme', 'http://example.org'],
    ['example.org:3478', 'scheme', 'example.org:3478'],
    ['turn:', 'syntax', ''],
    ['stun:h/path', 'syntax', 'h/path'],
    ['stun:h:port', 'syntax', 'h:port'],
    ['stun:2001:db8::1', 'syntax', '2001:db8::1'],
    ['stun:a@b@h', 'syntax', 'b@h'],
    ['stun:[1.2.3.4]', 'host', '1.2.3.4'],
    ['stun:[::1%25eth0]', 'host', '::1%25eth0'],
    ['stun:h:0', 'port', '0'],
    ['turn:h:65536', 'port', '65536'],
    ['turn:h?transport=sctp', 'transport', 'sctp'],
    ['turn:h?transport=', 'transport', ''],
  ])('%s → %s error, naming %j', (text, code, part) => {
    const r = parseIceServerUrl(text);
    expect(r).toMatchObject({ ok: false, code, part });
    expect(!r.ok && r.message).not.toContain('\n');
  });
});

describe('iceUrlText', () => {
  it('writes scheme:host:port, IPv6 bracketed, with the transport when given', () => {
    expect(iceUrlText('turn', '2001:db8::1', 3478, 'tcp')).toBe('turn:[2001:db8::1]:3478?transport=tcp');
    expect(iceUrlText('stuns', 'stun.example.org', 5349)).toBe('stuns:stun.example.org:5349');
  });

  it('parses back to what it was written from', () => {
    const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
    const scheme = fc.constantFrom<IceScheme>('stun', 'stuns', 'turn', 'turns');
    const transport = fc.constantFrom(undefined, 'udp' as const, 'tcp' as const);
    fc.assert(
      fc.property(scheme, host, fc.integer({ min: 1, max: 65535 }), transport, (s, h, port, t) => {
        const r = parseIceServerUrl(iceUrlText(s, h, port, t));
        expect(r).toEqual({
          ok: true,
          url: {
            scheme: s,
            secure: s.endsWith('s'),
            host: h,
            port,
            defaultPortApplied: false,
            transport: t,
            userinfo: false,
            extraQuery: false,
          },
        });
      }),
      { numRuns: 3000 },
    );
  });
});
