/**
 * Whether `serve`'s certificate names each `--public-host` (RFC 6125 matching, as a browser verifies it):
 * DNS SANs with a one-label wildcard, IP SANs for IP literals (IPv6 canonical, in brackets), and the
 * warning that names the host and the certificate's names.
 */
import { describe, expect, it } from 'vitest';
import { publicHostWarnings } from '../../src/cli/commands/serve-tls.js';
import {
  certificateNamesHost,
  generateSelfSignedCredentials,
} from '../../src/server/stun/tls-credentials.js';

describe('certificateNamesHost', () => {
  it('matches DNS names (one wildcard label, any case) and IP literals against the SANs', async () => {
    const cert = await generateSelfSignedCredentials(['*.example.test', 'turn.other.test', '2001:db8::7']);
    const named = (host: string): boolean => certificateNamesHost(cert, host);
    expect(named('turn.example.test')).toBe(true);
    expect(named('TURN.Example.test')).toBe(true);
    expect(named('turn.other.test')).toBe(true);
    expect(named('[2001:db8::7]')).toBe(true);
    expect(named('a.turn.example.test')).toBe(false);
    expect(named('example.test')).toBe(false);
    expect(named('other.test')).toBe(false);
    expect(named('[2001:db8::8]')).toBe(false);
    expect(named('198.51.100.7')).toBe(false);
  });
});

describe('publicHostWarnings', () => {
  it('one warning per public host the certificate does not name, with its names', async () => {
    const cert = await generateSelfSignedCredentials(['turn.example.test', '198.51.100.7']);
    expect(publicHostWarnings(cert, ['turn.example.test', '198.51.100.7'])).toEqual([]);
    expect(publicHostWarnings(cert, ['turn.example.test', 'page.example.test', '203.0.113.9'])).toEqual([
      "--tls-cert does not name the --public-host 'page.example.test' (its names: turn.example.test, 198.51.100.7): browsers will refuse https://page.example.test/ and turns:page.example.test with it",
      "--tls-cert does not name the --public-host '203.0.113.9' (its names: turn.example.test, 198.51.100.7): browsers will refuse https://203.0.113.9/ and turns:203.0.113.9 with it",
    ]);
  });
});
