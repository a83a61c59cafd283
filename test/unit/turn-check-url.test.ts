import { describe, expect, it } from 'vitest';
import { resolveServer } from '../../src/client/transport/resolve.js';
import { parseTurnTargets, parseTurnUrl, turnTargets } from '../../src/client/url/turn-url.js';
import { IceUrlError } from '../../src/shared/ice-url.js';

describe('parseTurnUrl (RFC 7065)', () => {
  it.each([
    ['turn:turn.example.org', 'turn.example.org', 3478, ['udp', 'tcp']],
    ['turn:turn.example.org:3479', 'turn.example.org', 3479, ['udp', 'tcp']],
    ['turn:203.0.113.10?transport=udp', '203.0.113.10', 3478, ['udp']],
    ['turn:203.0.113.10:80?transport=tcp', '203.0.113.10', 80, ['tcp']],
    ['turns:turn.example.org', 'turn.example.org', 5349, ['tls']],
    ['turns:turn.example.org:443?transport=tcp', 'turn.example.org', 443, ['tls']],
    ['TURN:Example.org?transport=UDP', 'Example.org', 3478, ['udp']],
    ['turn:[2001:db8::1]:3478', '2001:db8::1', 3478, ['udp', 'tcp']],
    ['turn://turn.example.org', 'turn.example.org', 3478, ['udp', 'tcp']],
  ])('%s', (input, host, port, transports) => {
    expect(parseTurnUrl(input)).toMatchObject({ host, port, transports });
  });

  it.each([
    ['stun:example.org', /not a TURN URL/],
    ['turn:', /not a TURN URL/],
    ['example.org:3478', /not a TURN URL/],
    ['turn:user@example.org', /not a TURN URL/],
    ['turn:host:0', /bad port/],
    ['turn:host:70000', /bad port/],
    ['turn:host?transport=sctp', /unknown transport "sctp"/],
    ['turns:host?transport=udp', /DTLS/],
    ['http://example.org', /not a TURN URL/],
  ])('rejects %s with an IceUrlError', (bad, message) => {
    expect(() => parseTurnUrl(bad)).toThrow(IceUrlError);
    expect(() => parseTurnUrl(bad)).toThrow(message);
  });
});

describe('turnTargets', () => {
  it('expands turn: into a udp and a tcp target with normalised URLs, IPv6 bracketed', () => {
    expect(turnTargets(parseTurnUrl('turn:[::1]:3478')).map((t) => t.url)).toEqual([
      'turn:[::1]:3478?transport=udp',
      'turn:[::1]:3478?transport=tcp',
    ]);
  });

  it('turns: is one TLS target without a transport query', () => {
    const [t] = turnTargets(parseTurnUrl('turns:turn.example.org'));
    expect(t).toEqual({
      url: 'turns:turn.example.org:5349',
      scheme: 'turns',
      host: 'turn.example.org',
      port: 5349,
      transport: 'tls',
    });
  });

  it('parseTurnTargets expands every URL in order, and a bad one throws before any target is returned', () => {
    expect(parseTurnTargets(['turns:a.example', 'turn:b.example?transport=tcp']).map((t) => t.url)).toEqual([
      'turns:a.example:5349',
      'turn:b.example:3478?transport=tcp',
    ]);
    expect(() => parseTurnTargets(['turn:a.example', 'stun:b.example'])).toThrow(/not a TURN URL: "stun:b/);
  });

  it('a target goes to resolveServer as it is: host and port kept, IPv6 unbracketed, default ports', async () => {
    const [udp, tcp] = turnTargets(parseTurnUrl('turn:203.0.113.10:3479'));
    expect(await resolveServer(udp!, 100)).toEqual({ address: '203.0.113.10', port: 3479, family: 'IPv4' });
    expect(await resolveServer(tcp!, 100)).toEqual({ address: '203.0.113.10', port: 3479, family: 'IPv4' });
    const [tls] = turnTargets(parseTurnUrl('turns:[2001:db8::1]'));
    expect(await resolveServer(tls!, 100)).toEqual({ address: '2001:db8::1', port: 5349, family: 'IPv6' });
  });
});
