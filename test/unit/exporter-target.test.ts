/**
 * What a `/probe` request is refused for before anything is sent (src/exporter/target.ts, deadline.ts):
 * credentials in the target, a target of the wrong kind or transport, a host outside allowedTargets, a bad
 * scrape-timeout header; and the plan and deadline it gets otherwise.
 */
import { describe, expect, it } from 'vitest';
import { probeDeadlineMs } from '../../src/exporter/deadline.js';
import type { StunProbeModule, TurnProbeModule } from '../../src/exporter/module.js';
import { ProbeRequestError } from '../../src/exporter/request-error.js';
import { allowedPlan, hostAllowed, probePlan } from '../../src/exporter/target.js';

const turn = (transport?: TurnProbeModule['transport']): TurnProbeModule => ({
  kind: 'turn',
  name: 'turn_x',
  transport,
  credentials: () => ({ credentials: { username: 'u', password: 'p' }, source: 'long-term' }),
  timeoutMs: 10_000,
  insecure: false,
  quality: true,
  outsideReach: true,
});
const stun: StunProbeModule = { kind: 'stun', name: 'stun', timeoutMs: 5000, insecure: false };

/** The refusal `f` throws: its status and message. */
function refusal(f: () => unknown): { status: number; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof ProbeRequestError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('exporter: the target of a /probe', () => {
  it('a turn: URL without transport is checked over UDP and TCP; the module narrows it', () => {
    const both = probePlan('turn:turn.example.org', turn());
    expect(both.kind === 'turn' && both.targets.map((t) => t.url)).toEqual([
      'turn:turn.example.org:3478?transport=udp',
      'turn:turn.example.org:3478?transport=tcp',
    ]);
    const udp = probePlan('turn:turn.example.org:3478', turn('udp'));
    expect(udp.kind === 'turn' && udp.targets.map((t) => t.transport)).toEqual(['udp']);
  });

  it('a bare host:port takes the module scheme: turns: for tls, turn:?transport= otherwise', () => {
    const tls = probePlan('turn.example.org:443', turn('tls'));
    expect(tls.kind === 'turn' && tls.targets.map((t) => t.url)).toEqual(['turns:turn.example.org:443']);
    const tcp = probePlan('[2001:db8::1]:3478', turn('tcp'));
    expect(tcp.kind === 'turn' && tcp.targets.map((t) => t.url)).toEqual([
      'turn:[2001:db8::1]:3478?transport=tcp',
    ]);
    expect(tcp.host).toBe('2001:db8::1');
  });

  it('a stun module takes stun:, stuns: and bare hosts', () => {
    const plan = probePlan('stun.example.org', stun);
    expect(plan.kind === 'stun' && plan.url.url).toBe('stun:stun.example.org:3478');
    const tls = probePlan('stuns:stun.example.org', stun);
    expect(tls.kind === 'stun' && tls.url.transport).toBe('tls');
  });

  it('refuses credentials in the target, user@ or any query parameter but transport, saying where they belong', () => {
    for (const t of [
      'turn:alice@turn.example.org',
      'turn:alice:secret@turn.example.org:3478',
      'turn:turn.example.org?password=secret',
      'turn:turn.example.org:3478?transport=udp&credential=secret',
      'turn.example.org?username=alice',
      'stun:turn.example.org?password=x',
    ]) {
      const r = refusal(() => probePlan(t, t.startsWith('stun') ? stun : turn()));
      expect(r.status, t).toBe(400);
      expect(r.message, t).toContain('credentials are never taken from the target');
      expect(r.message).toContain('environment variable or a file');
    }
  });

  it('refuses a missing target, another scheme, and a transport the module does not probe', () => {
    expect(refusal(() => probePlan(undefined, turn())).message).toMatch(/^target: missing/);
    expect(refusal(() => probePlan('  ', turn())).status).toBe(400);
    expect(refusal(() => probePlan('stun:turn.example.org', turn())).message).toContain('not a TURN URL');
    expect(refusal(() => probePlan('turn:turn.example.org', stun)).message).toContain('not a STUN URL');
    expect(refusal(() => probePlan('turns:turn.example.org', turn('udp'))).message).toBe(
      'target: module "turn_x" probes over udp, "turns:turn.example.org" is tls',
    );
    expect(refusal(() => probePlan('turn:turn.example.org:3478?transport=tcp', turn('udp'))).status).toBe(
      400,
    );
    expect(refusal(() => probePlan('turn:turn.example.org:99999', turn())).message).toContain('bad port');
  });

  it('allowedTargets: exact names and IPs, *.suffix for names below it, case-insensitive; 403 otherwise', () => {
    const allowed = ['turn.example.org', '*.fleet.example.org', '127.0.0.1', '::1'];
    expect(hostAllowed('TURN.example.org', allowed)).toBe(true);
    expect(hostAllowed('turn.example.org.', allowed)).toBe(true);
    expect(hostAllowed('a.b.fleet.example.org', allowed)).toBe(true);
    expect(hostAllowed('fleet.example.org', allowed)).toBe(false);
    expect(hostAllowed('evilfleet.example.org', allowed)).toBe(false);
    expect(hostAllowed('turn.example.org.evil.net', allowed)).toBe(false);
    expect(hostAllowed('::1', allowed)).toBe(true);
    expect(hostAllowed('169.254.169.254', allowed)).toBe(false);
    expect(allowedPlan('turn:[::1]:3478', turn(), allowed).host).toBe('::1');
    const r = refusal(() => allowedPlan('turn:169.254.169.254', turn(), allowed));
    expect(r).toEqual({
      status: 403,
      message: 'target: host "169.254.169.254" is not in allowedTargets of the config file',
    });
    expect(allowedPlan('turn:10.0.0.1', turn(), null).host).toBe('10.0.0.1');
  });
});

describe('exporter: the deadline of a probe', () => {
  it("is the module's timeout without Prometheus' header", () => {
    expect(probeDeadlineMs(undefined, 10_000, 500)).toBe(10_000);
  });

  it("is the scrape timeout minus the offset, capped by the module's timeout", () => {
    expect(probeDeadlineMs('5', 10_000, 500)).toBe(4500);
    expect(probeDeadlineMs('9.75', 10_000, 500)).toBe(9250);
    expect(probeDeadlineMs('30', 10_000, 500)).toBe(10_000);
  });

  it('is half a scrape timeout not over twice the offset (never zero or negative)', () => {
    expect(probeDeadlineMs('1', 10_000, 500)).toBe(500);
    expect(probeDeadlineMs('0.2', 10_000, 500)).toBe(100);
    expect(probeDeadlineMs('0.001', 10_000, 500)).toBe(1);
  });

  it('refuses a header that is not a positive number of seconds', () => {
    for (const h of ['0', '-1', 'ten', '', '1e3', '5s']) {
      const r = refusal(() => probeDeadlineMs(h, 10_000, 500));
      expect(r.status, h).toBe(400);
      expect(r.message).toMatch(/^X-Prometheus-Scrape-Timeout-Seconds: must be a positive number of seconds/);
    }
  });
});
