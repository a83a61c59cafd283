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
  ])('rejects %s with an IceUrlError', (bad) => {
    expect(() => parseStunUrl(bad)).toThrow(IceUrlError);
  });
});
