import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderTurnCheckText } from '../../src/cli/render/turn-check.js';
import { diagnoseTarget, turnCheckReport } from '../../src/client/turn-check/diagnose.js';
import type { TurnObservation } from '../../src/client/turn-check/observations.js';
import { turnTargetReportSchema } from '../../src/report/schema.js';
import { addr, req, target } from '../support/turn-observations.js';

// A name with several addresses: a node this host cannot reach at all (no IPv6 here, no route) is "not
// checked from this host", not a failure of the run; ECONNREFUSED is the server's host answering: a failure.

const V6 = addr('2001:db8::10', 3478);
const node = {
  host: 'turn.example.org',
  address: V6.address,
  addresses: ['203.0.113.10', V6.address],
  rttMs: null,
};
const resolved: TurnObservation = { step: 'resolve', durationMs: 1, address: V6, error: null };

function tcpConnect(errorCode: string): TurnObservation[] {
  return [resolved, { step: 'connect', durationMs: 2, errorCode, facts: null, plainStun: null }];
}

const judged = (observations: TurnObservation[], over = {}) =>
  turnTargetReportSchema.parse(
    diagnoseTarget(
      target(observations, {
        url: 'turn:turn.example.org:3478?transport=tcp',
        transport: 'tcp',
        node,
        ...over,
      }),
    ),
  );

describe('a node this host cannot reach', () => {
  it.each(['EADDRNOTAVAIL', 'ENETUNREACH', 'EAFNOSUPPORT'])(
    'TCP connect %s: not checked here, not failed',
    (code) => {
      const r = judged(tcpConnect(code));
      expect(r.ok).toBe(true);
      expect(r.diagnoses.map((d) => [d.code, d.severity])).toEqual([['node-not-checked-here', 'warn']]);
      expect(r.steps.find((s) => s.name === 'connect')).toMatchObject({ status: 'skipped' });
      expect(r.steps.every((s) => s.status !== 'fail')).toBe(true);
      expect(r.diagnoses[0]?.message).toContain(code);
    },
  );

  it('UDP: the first Allocate could not be sent (ENETUNREACH): not checked here', () => {
    const failed = req('allocate', {
      success: false,
      sent: 1,
      failure: { kind: 'error', message: 'send ENETUNREACH 2001:db8::10:3478' },
    });
    const r = judged([resolved, failed], {
      url: 'turn:turn.example.org:3478?transport=udp',
      transport: 'udp',
    });
    expect(r.ok).toBe(true);
    expect(r.diagnoses[0]?.code).toBe('node-not-checked-here');
  });

  it('ECONNREFUSED on the AAAA address is the server host’s answer: still a failure', () => {
    const r = judged(tcpConnect('ECONNREFUSED'));
    expect(r.ok).toBe(false);
    expect(r.diagnoses[0]?.code).toBe('tcp-port-closed');
  });

  it('without several addresses (no node) a local error still fails the check', () => {
    const r = judged(tcpConnect('ENETUNREACH'), { node: undefined });
    expect(r.ok).toBe(false);
  });

  it('the node table says "not checked from this host"', () => {
    const over = { url: 'turn:turn.example.org:3478?transport=tcp', transport: 'tcp' as const, node };
    const report = turnCheckReport(
      [target(tcpConnect('EADDRNOTAVAIL'), over)],
      '2026-01-01T00:00:00.000Z',
      9,
    );
    expect(report.ok).toBe(true);
    expect(stripVTControlCharacters(renderTurnCheckText(report))).toMatch(/not checked from this host/);
  });
});
