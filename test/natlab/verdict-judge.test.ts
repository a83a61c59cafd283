import { describe, expect, it } from 'vitest';
import { mustNameUntrusted, truthFor } from '../../lab/liar-lab.js';
import { mainJobVerdicts, probeVerdicts, untrustedNamed, verdictProblems } from '../../lab/verdict-judge.js';
import { EXPECTED } from '../../src/lab/scenarios.js';

// The judge of the NAT lab's liar cases (no root): it must reject a confident wrong verdict and a null
// without a reason, and accept the truth or (where allowed) an honest null.

const symmetric = EXPECTED['masquerade-random'];
const reasons = { mapping: 'no trusted RFC 5780 server', legacyNatType: 'mapping unknown' };

describe('verdictProblems', () => {
  it('accepts the truth, and an honest null only in exact-or-null mode', () => {
    expect(verdictProblems(symmetric, { verdict: symmetric, reasons: {} }, 'exact')).toEqual([]);
    const honest = { verdict: { ...symmetric, mapping: null, legacyNatType: null }, reasons };
    expect(verdictProblems(symmetric, honest, 'exact-or-null')).toEqual([]);
    expect(verdictProblems(symmetric, honest, 'exact')).toHaveLength(2);
  });

  it('rejects a wrong value and a null without a reason', () => {
    const wrong = { verdict: { ...symmetric, mapping: 'endpoint-independent' as const }, reasons: {} };
    expect(verdictProblems(symmetric, wrong, 'exact-or-null')).toEqual([
      'mapping: "endpoint-independent", truth "address-and-port-dependent"',
    ]);
    const silent = { verdict: { ...symmetric, filtering: null }, reasons: {} };
    expect(verdictProblems(symmetric, silent, 'exact-or-null')).toEqual(['filtering: null without a reason']);
  });
});

describe('report readers', () => {
  it('reads the main job through its public probe, or all null with publicUnreachable', () => {
    const probe = { ...symmetric, reasons };
    expect(mainJobVerdicts({ public: probe })).toEqual(probeVerdicts(probe));
    const offline = mainJobVerdicts({ public: null, publicUnreachable: 'none of 1 answered' });
    expect(offline.verdict.udp).toBeNull();
    expect(offline.reasons.udp).toBe('none of 1 answered');
    expect(() => probeVerdicts({ udp: true })).toThrow(/natPresent/);
  });
});

describe('untrustedNamed', () => {
  const url = 'stun:203.0.113.20:3478';
  it('finds the server in untrustedServers, in a reason, or in the main job public report', () => {
    expect(untrustedNamed({ untrustedServers: [{ url, reason: 'OTHER-ADDRESS is its own IP' }] }, url)).toBe(
      true,
    );
    expect(untrustedNamed({ reasons: { filtering: 'reply from 203.0.113.20:3478' } }, url)).toBe(true);
    expect(untrustedNamed({ public: { untrustedServers: [{ url, reason: 'x' }] } }, url)).toBe(true);
  });
  it('does not find another server', () => {
    const other = 'stun:203.0.113.30:3478';
    expect(untrustedNamed({ untrustedServers: [{ url: other }], reasons: { mapping: other } }, url)).toBe(
      false,
    );
  });
});

describe('truthFor and mustNameUntrusted', () => {
  it('asks the good server verdicts exactly, nothing of a dead server, never a wrong one of liars', () => {
    expect(truthFor('restricted-cone', ['dead', 'liar', 'good'])).toEqual({
      verdict: EXPECTED['restricted-cone'],
      mode: 'exact',
    });
    expect(Object.values(truthFor('udp-dropped', ['dead']).verdict)).toEqual([null, null, null, null, null]);
    expect(truthFor('masquerade', ['liar', 'ignoresChange']).mode).toBe('exact-or-null');
  });
  it('names the liars whenever UDP passes, the CHANGE-REQUEST ignorer when no good server is there', () => {
    expect(mustNameUntrusted('masquerade', ['dead', 'liar', 'good'])).toEqual(['liar']);
    expect(mustNameUntrusted('masquerade', ['liar', 'ignoresChange'])).toEqual(['liar', 'ignoresChange']);
    expect(mustNameUntrusted('masquerade', ['ignoresChange', 'good'])).toEqual([]);
    expect(mustNameUntrusted('udp-dropped', ['liar'])).toEqual([]);
  });
});
