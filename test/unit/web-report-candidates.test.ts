import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { browserCandidateSchema } from '../../src/report/browser-schema.js';
import { hostPort, ipFamily, isMdnsName, maskedFamily } from '../../src/web/page/address.js';
import {
  CandidateParseError,
  decodePriority,
  encodePriority,
  MAX_PRIORITY,
  parseCandidateLine,
  relayProtocolOf,
  toBrowserCandidate,
} from '../../src/web/page/candidates.js';
import { canonicalIceUrl, parseIceUrl, sameIceUrl, sanitizeUrl } from '../../src/web/page/ice-url.js';
import { recordedCall, recordedGathering } from '../support/webrtc-fixtures.js';

describe('parseCandidateLine (RFC 8839 §5.1)', () => {
  it('reads a recorded Chromium relay line, raddr/rport and extensions', () => {
    const line = recordedCall('chromium-relay-tcp').a.candidates[0]!.candidate;
    expect(parseCandidateLine(line)).toEqual({
      foundation: '931991126',
      component: 1,
      protocol: 'udp',
      priority: 16785407,
      address: '100.64.90.1',
      port: 51703,
      type: 'relay',
      relatedAddress: '0.0.0.0',
      relatedPort: 0,
      tcpType: null,
      extensions: { generation: '0', ufrag: 'u8vc', 'network-cost': '999' },
    });
  });

  it('accepts the a= prefix, upper-case UDP, IPv6, and RFC 6544 tcptype', () => {
    const c = parseCandidateLine('a=candidate:1 2 TCP 1518280447 2001:db8::5 9 typ host tcptype active');
    expect(c).toMatchObject({
      component: 2,
      protocol: 'tcp',
      address: '2001:db8::5',
      port: 9,
      tcpType: 'active',
    });
    expect(parseCandidateLine('candidate:x 1 UDP 1 h.local 1 typ HOST').type).toBe('host');
  });

  it.each([
    ['too few fields', 'candidate:1 1 udp 1 1.2.3.4 5 typ'],
    ['component 0', 'candidate:1 0 udp 1 1.2.3.4 5 typ host'],
    ['component 257', 'candidate:1 257 udp 1 1.2.3.4 5 typ host'],
    ['sctp transport', 'candidate:1 1 sctp 1 1.2.3.4 5 typ host'],
    ['priority ≥ 2^32', 'candidate:1 1 udp 4294967296 1.2.3.4 5 typ host'],
    ['port 65536', 'candidate:1 1 udp 1 1.2.3.4 65536 typ host'],
    ['unknown type', 'candidate:1 1 udp 1 1.2.3.4 5 typ relayed'],
    ['no typ keyword', 'candidate:1 1 udp 1 1.2.3.4 5 type host'],
    ['odd extensions', 'candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr'],
    ['bad rport', 'candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.1.1.1 rport x'],
    ['bad foundation', 'candidate:a-b 1 udp 1 1.2.3.4 5 typ host'],
  ])('rejects %s', (_why, line) => {
    expect(() => parseCandidateLine(line)).toThrow(CandidateParseError);
  });
});

describe('priority (RFC 8445 §5.1.2.1)', () => {
  const parts = fc.record({
    typePreference: fc.integer({ min: 0, max: 126 }),
    localPreference: fc.integer({ min: 0, max: 65535 }),
    component: fc.integer({ min: 1, max: 256 }),
  });

  it('decode(encode(parts)) = parts', () => {
    fc.assert(
      fc.property(parts, (p) => {
        expect(decodePriority(encodePriority(p))).toEqual(p);
      }),
      { numRuns: 5000 },
    );
  });

  it('encode(decode(priority)) = priority over 0 … MAX_PRIORITY', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PRIORITY }), (p) => {
        expect(encodePriority(decodePriority(p))).toBe(p);
      }),
      { numRuns: 5000 },
    );
  });

  it('orders like its parts: a higher type preference always wins', () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        fc.pre(a.typePreference !== b.typePreference);
        expect(encodePriority(a) > encodePriority(b)).toBe(a.typePreference > b.typePreference);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes the recorded Chromium priorities: host 126, srflx 100, relay 3/1/0 for UDP/TCP/TLS', () => {
    expect(decodePriority(2113937151)).toEqual({ typePreference: 126, localPreference: 30, component: 1 });
    expect(decodePriority(1677729535).typePreference).toBe(100);
    const relayPrefs = ['chromium-relay-udp', 'chromium-relay-tcp', 'chromium-relay-tls'].map(
      (n) =>
        decodePriority(parseCandidateLine(recordedCall(n).a.candidates[0]!.candidate).priority)
          .typePreference,
    );
    expect(relayPrefs).toEqual([3, 1, 0]);
  });

  it('rejects what is outside the RFC', () => {
    expect(() => decodePriority(MAX_PRIORITY + 1)).toThrow(RangeError);
    expect(() => decodePriority(-1)).toThrow(RangeError);
    expect(() => decodePriority(1.5)).toThrow(RangeError);
    expect(() => encodePriority({ typePreference: 127, localPreference: 0, component: 1 })).toThrow(
      RangeError,
    );
    expect(() => encodePriority({ typePreference: 0, localPreference: 0, component: 0 })).toThrow(RangeError);
  });
});

describe('toBrowserCandidate', () => {
  it('derives udp for a Chromium UDP relay candidate whose relayProtocol is null', () => {
    const recorded = recordedCall('chromium-relay-udp').a.candidates[0]!;
    expect(recorded.relayProtocol).toBeNull();
    const row = toBrowserCandidate(recorded, 'turn-udp-1', 12);
    expect(row).toMatchObject({
      pathId: 'turn-udp-1',
      tMs: 12,
      type: 'relay',
      relayProtocol: 'udp',
      url: 'turn:100.64.90.1:46469?transport=udp',
      typePreference: 3,
      component: 1,
    });
    expect(browserCandidateSchema.parse(row)).toEqual(row);
  });

  it('keeps the browser relayProtocol for TCP and TLS relays', () => {
    expect(
      toBrowserCandidate(recordedCall('chromium-relay-tcp').a.candidates[0]!, 'p', 0).relayProtocol,
    ).toBe('tcp');
    expect(
      toBrowserCandidate(recordedCall('chromium-relay-tls').a.candidates[0]!, 'p', 0).relayProtocol,
    ).toBe('tls');
  });

  it('gives host candidates no url (Chromium: empty string) and no relayProtocol', () => {
    const [host, srflx] = recordedGathering('chromium-gather-two-stun').candidates.map((c) =>
      toBrowserCandidate(c, 'stun-1', c.tMs),
    );
    expect(host).toMatchObject({ type: 'host', url: null, relayProtocol: null, relatedAddress: null });
    expect(srflx).toMatchObject({
      type: 'srflx',
      url: 'stun:100.64.90.1:46469',
      relatedAddress: '100.64.90.1',
      relatedPort: srflx!.port,
    });
  });

  it('relayProtocolOf: browser value first, then the URL, null when neither says', () => {
    expect(relayProtocolOf('relay', null, 'turns:h')).toBe('tls');
    expect(relayProtocolOf('relay', undefined, 'turn:h?transport=tcp')).toBe('tcp');
    expect(relayProtocolOf('relay', '', 'turn:h')).toBe('udp');
    expect(relayProtocolOf('relay', 'tcp', 'turn:h')).toBe('tcp');
    expect(relayProtocolOf('relay', null, null)).toBeNull();
    expect(relayProtocolOf('relay', null, 'stun:h')).toBeNull();
    expect(relayProtocolOf('srflx', 'udp', 'turn:h')).toBeNull();
  });
});

describe('ICE URLs and addresses', () => {
  it('parses and compares URLs with default ports and transports', () => {
    expect(parseIceUrl('turns:Example.org')).toEqual({
      scheme: 'turns',
      host: 'example.org',
      port: 5349,
      transport: 'tls',
    });
    expect(parseIceUrl('turn:[2001:db8::1]:3479?transport=tcp')).toEqual({
      scheme: 'turn',
      host: '2001:db8::1',
      port: 3479,
      transport: 'tcp',
    });
    expect(sameIceUrl('turn:h', 'turn:h:3478?transport=udp')).toBe(true);
    expect(sameIceUrl('turns:h:5349?transport=tcp', 'turns:h')).toBe(true);
    expect(sameIceUrl('turn:h?transport=tcp', 'turn:h')).toBe(false);
    expect(sameIceUrl('nope', 'nope')).toBe(false);
    expect(canonicalIceUrl('stun:[::1]')).toBe('stun:[::1]:3478');
    expect(parseIceUrl('turn:h?transport=sctp')).toBeNull();
    expect(parseIceUrl('turn:h:0')).toBeNull();
    expect(parseIceUrl('http://h')).toBeNull();
  });

  it('sanitizes URLs: no user-info, no query but transport', () => {
    expect(sanitizeUrl('turn:alice:pw@h:3478?transport=udp&secret=x')).toBe('turn:h:3478?transport=udp');
    expect(sanitizeUrl('turns:h')).toBe('turns:h:5349');
    expect(sanitizeUrl('wss://user:pw@host:8443/signal?token=abc#x')).toBe('wss://host:8443/signal');
  });

  it('reads families, masked addresses and mDNS names', () => {
    expect(ipFamily('100.64.90.1')).toBe('IPv4');
    expect(ipFamily('[2001:db8::1]')).toBe('IPv6');
    expect(ipFamily('fe80::1%eth0')).toBe('IPv6');
    expect(ipFamily('256.1.1.1')).toBeNull();
    expect(ipFamily('5d95a61a-0301-4364-9fa1-0e9c154d1366.local')).toBeNull();
    expect(maskedFamily(recordedGathering('chromium-gather-errors').errors[0]!.address)).toBe('IPv4');
    expect(maskedFamily('192.168.1.x')).toBe('IPv4');
    expect(maskedFamily('[0:0:0:x::x]')).toBe('IPv6');
    expect(maskedFamily('2001:db8:x:x::x')).toBe('IPv6');
    expect(maskedFamily(null)).toBeNull();
    expect(isMdnsName(recordedGathering('chromium-gather-mdns').candidates[1]!.address!)).toBe(true);
    expect(hostPort('2001:db8::1', 3478)).toBe('[2001:db8::1]:3478');
    expect(hostPort('1.2.3.4', 1)).toBe('1.2.3.4:1');
  });
});
