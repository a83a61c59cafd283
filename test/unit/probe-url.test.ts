import { describe, expect, it } from 'vitest';
import { parseStunUrl } from '../../src/client/url/stun-url.js';
import { IceUrlError } from '../../src/shared/ice-url.js';

describe('parseStunUrl (RFC 7064)', () => {
  it.each([
    ['stun:example.org', 'stun:example.org:3478', 'udp', 3478],
    ['stun:example.org:19302', 'stun:example.org:19302', 'udp', 19302],
    ['stun:example.org?transport=tcp', 'stun:example.org:3478?transport=tcp', 'tcp', 3478],
    ['stuns:example.org', 'stuns:example.org:5349', 'tls', 5349],
    ['203.0.113.10:3478', 'stun:203.0.113.10:3478', 'udp', 3478],
    ['stun:[2001:db8::1]:3479', 'stun:[2001:db8::1]:3479', 'udp', 3479],
    ['STUN:example.org?transport=TCP', 'stun:example.org:3478?transport=tcp', 'tcp', 3478],
    ['[2001:db8::1]', 'stun:[2001:db8::1]:3478', 'udp', 3478],
  ])('%s', (input, url, transport, port) => {
    const u = parseStunUrl(input);
    expect(u).toMatchObject({ url, transport, port });
  });

  it('keeps the IPv6 host without brackets', () => {
    expect(parseStunUrl('stun:[::1]').host).toBe('::1');
  });

  it.each([
    'turn:example.org',
    'stun:',
    'stun:host:0',
    'stun:host:70000',
    'stuns:host?transport=tcp',
    'http://x',
    'stun:user@example.org',
    'stun:example.org?transport=udp&x=1',
    'stun:example.org/path',
    'stun:[192.0.2.1]',
    'stun:2001:db8::1',
  ])('rejects %s with an IceUrlError', (bad) => {
    expect(() => parseStunUrl(bad)).toThrow(IceUrlError);
  });

  it('names the port when only the port is wrong, and refuses ?transport= on stuns:', () => {
    expect(() => parseStunUrl('stun:host:0')).toThrow('bad port in "stun:host:0" (1–65535)');
    expect(() => parseStunUrl('turn:host')).toThrow('not a STUN URL: "turn:host"');
    expect(() => parseStunUrl('stuns:host?transport=tcp')).toThrow('stuns: takes no ?transport=');
  });
});
