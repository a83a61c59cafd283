import { describe, expect, it } from 'vitest';
import { candidateErrorSchema } from '../../src/report/browser-schema.js';
import { errorLabel, explainCandidateError } from '../../src/web/page/candidate-errors.js';
import { recordedGathering } from '../support/webrtc-fixtures.js';

describe('explainCandidateError on recorded Chromium 156 events', () => {
  const udp = recordedGathering('chromium-gather-errors').errors;
  const tcp = recordedGathering('chromium-gather-errors-tcp').errors;
  const untrusted = recordedGathering('chromium-gather-tls-untrusted').errors;

  it('401 over TURN/UDP: wrong credentials or expired REST credentials, masked local address kept', () => {
    const row = explainCandidateError(udp[0]!, 'turn-udp-1', udp[0]!.tMs);
    expect(row).toMatchObject({ errorCode: 401, address: '0.0.0.x', port: udp[0]!.port, harmless: false });
    expect(row.explanation).toMatch(
      /^The TURN server turn:100\.64\.90\.1:\d+\?transport=udp over UDP rejected/,
    );
    expect(row.explanation).toMatch(/expired/);
    expect(candidateErrorSchema.parse(row)).toEqual(row);
  });

  it('701 STUN timeout: no answer, not harmless (IPv4 socket, IPv4 server)', () => {
    const row = explainCandidateError(udp[1]!, 'stun-1', udp[1]!.tMs);
    expect(row).toMatchObject({ errorCode: 701, harmless: false });
    expect(row.explanation).toMatch(/^No answer from the STUN server stun:100\.64\.90\.1:9 over UDP/);
  });

  it('701 from turns: (failed TLS, null address) says the certificate may be untrusted', () => {
    for (const e of [tcp[0]!, untrusted[0]!]) {
      const row = explainCandidateError(e, 'turns-1', e.tMs);
      expect(row).toMatchObject({ errorCode: 701, address: null, port: null, harmless: false });
      expect(row.explanation).toContain(
        'TLS handshake failed: is the certificate trusted? a self-signed certificate is refused by browsers',
      );
    }
  });

  it('401 over TURN/TCP names TCP', () => {
    expect(explainCandidateError(tcp[1]!, 'turn-tcp-1', 0).explanation).toMatch(
      /over TCP rejected the username/,
    );
  });
});

describe('explainCandidateError: families and codes', () => {
  const ev = (errorCode: number, url: string, address: string | null = '0.0.0.x') => ({
    url,
    errorCode,
    errorText: 'text',
    address,
    port: 5000,
  });

  it.each([
    ['IPv6 socket, IPv4 literal', '[0:0:0:x::x]', 'stun:203.0.113.1:3478', {}, true],
    ['IPv4 socket, IPv6 literal', '0.0.0.x', 'turn:[2001:db8::1]:3478', {}, true],
    ['IPv4 socket, IPv4 literal', '192.168.1.x', 'stun:203.0.113.1', {}, false],
    ['IPv6 socket, host name of unknown families', '[0:0:0:x::x]', 'stun:stun.example.org', {}, false],
    [
      'IPv6 socket, host name known IPv4-only',
      '[0:0:0:x::x]',
      'stun:stun.example.org',
      { serverFamilies: ['IPv4'] as const },
      true,
    ],
    [
      'IPv6 socket, dual-stack host',
      '[0:0:0:x::x]',
      'stun:stun.example.org',
      { serverFamilies: ['IPv4', 'IPv6'] as const },
      false,
    ],
    ['no local address', null, 'stun:203.0.113.1', {}, false],
  ])('701, %s → harmless %s', (_name, address, url, context, harmless) => {
    const row = explainCandidateError(ev(701, url, address), 'p', 1, context);
    expect(row.harmless).toBe(harmless);
    expect(row.explanation.startsWith('Harmless')).toBe(harmless);
  });

  it('701 over TURN/TCP says the connection could not be made', () => {
    expect(explainCandidateError(ev(701, 'turn:h?transport=tcp'), 'p', 0).explanation).toMatch(
      /TCP connection could not be made/,
    );
  });

  it.each([
    [403, /forbids this \(403 Forbidden\): its policy/],
    [486, /allocation quota is reached/],
    [437, /Allocation Mismatch/],
    [438, /Stale Nonce/],
    [442, /Unsupported Transport/],
    [508, /Insufficient Capacity/],
    [300, /Try Alternate/],
    [500, /Server Error/],
  ])('%i in plain words', (code, pattern) => {
    const row = explainCandidateError(ev(code, 'turn:h:3478?transport=udp'), 'p', 0);
    expect(row.explanation).toMatch(pattern);
    expect(row.harmless).toBe(false);
  });

  it('an unknown code says so, with the browser text', () => {
    const row = explainCandidateError({ ...ev(599, 'turn:h'), errorText: 'Odd.' }, 'p', 0);
    expect(row.explanation).toMatch(/error 599 \(Odd\), a code ice-doctor does not know/);
  });

  it('an unknown code without browser text shows no empty brackets', () => {
    const row = explainCandidateError({ ...ev(599, 'turn:h'), errorText: '' }, 'p', 0);
    expect(row.explanation).toMatch(/answered with error 599, a code ice-doctor does not know/);
    expect(row.explanation).not.toMatch(/\(\s*\)|""/);
  });

  it('an empty address becomes null', () => {
    expect(explainCandidateError(ev(401, 'turn:h', ''), 'p', 0).address).toBeNull();
  });
});

describe('errorLabel', () => {
  it('brackets the browser text without its final period, and leaves out empty or blank text', () => {
    expect(errorLabel(701, 'STUN binding request timed out.')).toBe(
      'error 701 (STUN binding request timed out)',
    );
    expect(errorLabel(701, '')).toBe('error 701');
    expect(errorLabel(701, '  ')).toBe('error 701');
  });
});
