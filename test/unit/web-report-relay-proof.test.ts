import { describe, expect, it } from 'vitest';
import { relayProofSchema, type SelectedPair } from '../../src/report/browser-schema.js';
import { median, type ProofTarget, relayProof } from '../../src/web/page/relay-proof.js';
import { readSelectedPair } from '../../src/web/page/selected-pair.js';
import { recordedCall } from '../support/webrtc-fixtures.js';

const pairOf = (name: string): SelectedPair =>
  readSelectedPair(recordedCall(name).a.stats[1] ?? recordedCall(name).a.stats[0]!)!.pair;
const failing = (proof: ReturnType<typeof relayProof>): string[] =>
  proof.assertions.filter((a) => !a.ok).map((a) => a.name);

describe('relayProof on recorded Chromium 156 calls', () => {
  it.each([
    ['chromium-relay-udp', { kind: 'turn-udp', url: 'turn:100.64.90.1:46469?transport=udp' }],
    ['chromium-relay-tcp', { kind: 'turn-tcp', url: 'turn:100.64.90.1:46469?transport=tcp' }],
    ['chromium-relay-tls', { kind: 'turns', url: 'turns:100.64.90.1:41947' }],
  ] as [string, ProofTarget][])('%s proves its own path', (name, target) => {
    const call = recordedCall(name);
    const proof = relayProof(target, pairOf(name), call.echoRttMs);
    expect(failing(proof)).toEqual([]);
    expect(proof.ok).toBe(true);
    expect(proof.rttMs).toBe(median(call.echoRttMs));
    expect(proof.assertions.map((a) => a.name)).toEqual([
      'selected-pair',
      'local-relay',
      'url',
      'relay-protocol',
      'echo',
    ]);
    expect(relayProofSchema.parse(proof)).toEqual(proof);
  });

  it('a TCP relay does not prove the TLS path: wrong URL and relay protocol', () => {
    const proof = relayProof(
      { kind: 'turns', url: 'turns:100.64.90.1:41947' },
      pairOf('chromium-relay-tcp'),
      [1],
    );
    expect(proof.ok).toBe(false);
    expect(failing(proof)).toEqual(['url', 'relay-protocol']);
    expect(proof.assertions[3]!.detail).toBe('relayProtocol tcp, expected tls');
  });

  it('a UDP relay under a turn-tcp kind fails only the relay protocol', () => {
    const proof = relayProof(
      { kind: 'turn-tcp', url: 'turn:100.64.90.1:46469?transport=udp' },
      pairOf('chromium-relay-udp'),
      [1],
    );
    expect(failing(proof)).toEqual(['relay-protocol']);
  });

  it('a host pair is no relay proof', () => {
    const proof = relayProof(
      { kind: 'turn-udp', url: 'turn:100.64.90.1:46469' },
      pairOf('chromium-host-host'),
      [1],
    );
    expect(failing(proof)).toEqual(['local-relay', 'url', 'relay-protocol']);
  });

  it('no pair, no echo, an error', () => {
    const target: ProofTarget = { kind: 'turn-udp', url: 'turn:h' };
    const none = relayProof(target, null, []);
    expect(failing(none)).toEqual(['selected-pair', 'local-relay', 'url', 'relay-protocol', 'echo']);
    expect(none.rttMs).toBeNull();
    const noEcho = relayProof(
      { kind: 'turn-udp', url: 'turn:100.64.90.1:46469' },
      pairOf('chromium-relay-udp'),
      [],
    );
    expect(failing(noEcho)).toEqual(['echo']);
    const errored = relayProof(
      { kind: 'turn-udp', url: 'turn:100.64.90.1:46469' },
      pairOf('chromium-relay-udp'),
      [2],
      'timeout',
    );
    expect(errored).toMatchObject({ ok: false, error: 'timeout' });
    expect(failing(errored)).toEqual([]);
  });

  it('Firefox reports no url: passes, saying the call had only this server', () => {
    const proof = relayProof(
      { kind: 'turn-udp', url: 'turn:203.0.113.10:3478' },
      pairOf('firefox-relay-udp'),
      [30],
    );
    expect(proof.ok).toBe(true);
    expect(proof.assertions[2]!.detail).toMatch(
      /does not report the candidate's URL; the call had only turn:203/,
    );
  });

  it('refuses a STUN path', () => {
    expect(() => relayProof({ kind: 'stun', url: 'stun:h' }, null, [])).toThrow(RangeError);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
