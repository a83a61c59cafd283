import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { coturnForSuite } from '../../lab/coturn-turn.js';
import { CLI_PATH } from '../../lab/paths.js';
import { REACH_PORTS } from '../../src/client/turn-check/outside-reach.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { reportSchema } from '../../src/report/report-schema.js';
import type { TurnCheckReport, TurnTargetReport } from '../../src/report/schema.js';
import { type ServeProcess, startListening } from '../support/serve-process.js';

// The reach check from outside on loopback: the outside peer (ice-doctor's own UDP socket) is on the
// server's host, so no verdict may be given (null, with the reason) — but the data path itself, peer →
// relayed address → client and back, must work on every relay port sampled, against the bundled server
// and coturn. (Reachability through a NAT is judged in test/natlab/outside-reach.lab.test.ts.)

const run = promisify(execFile);
const USER = { user: 'alice', password: 'wonderland' };

async function check(urls: string[], outsideReach?: boolean): Promise<TurnCheckReport> {
  const report = await runTurnCheck({
    targets: parseTurnTargets(urls),
    credentials: { credentials: { username: USER.user, password: USER.password }, source: 'long-term' },
    insecure: true,
    timeoutMs: 8000,
    ...(outsideReach !== undefined && { outsideReach }),
  });
  const parsed = reportSchema.safeParse(report);
  expect(parsed.success, parsed.error?.message).toBe(true);
  return report;
}

/** Null verdict for the same host, and the data path both ways on every sampled port. */
function expectLoopbackReach(t: TurnTargetReport, range?: [number, number]): void {
  const reach = t.outsideReach;
  expect(reach?.verdict, JSON.stringify(reach)).toBeNull();
  expect(reach?.reason).toMatch(/loopback/);
  expect(reach?.ports).toHaveLength(REACH_PORTS);
  expect(reach?.reachable).toBe(REACH_PORTS);
  expect(reach?.peerAddress?.address).toBe('127.0.0.1');
  for (const p of reach?.ports ?? []) {
    expect([p.inbound, p.outbound]).toEqual([true, true]);
    expect(p.peerSeen?.address).toBe('127.0.0.1');
    expect(p.relayed.port).not.toBe(t.relayedAddress?.port);
    if (range) {
      expect(p.relayed.port).toBeGreaterThanOrEqual(range[0]);
      expect(p.relayed.port).toBeLessThanOrEqual(range[1]);
    }
  }
  expect(new Set(reach?.ports.map((p) => p.relayed.port)).size).toBe(REACH_PORTS);
  expect(t.diagnoses.filter((d) => d.code.startsWith('relay-'))).toEqual([]);
}

describe('outside reach against the bundled server on loopback', () => {
  let served: ServeProcess | undefined;
  let udp = '';
  let tcp = '';
  const base = 50_000 + Math.floor(Math.random() * 90) * 100;
  const range: [number, number] = [base, base + 99];

  beforeAll(async () => {
    served = await startListening([
      '--port',
      '0',
      '--json',
      '--listen',
      '127.0.0.1',
      '--no-report',
      '--user',
      `${USER.user}:${USER.password}`,
      '--relay-ports',
      `${range[0]}-${range[1]}`,
    ]);
    udp = `turn:127.0.0.1:${served.line.turn.udp[0]?.port}?transport=udp`;
    tcp = `turn:127.0.0.1:${served.line.turn.tcp[0]?.port}?transport=tcp`;
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('over UDP and TCP: no verdict (same host), data both ways on 3 fresh relay ports, the check passes', async () => {
    const r = await check([udp, tcp]);
    for (const t of r.targets) {
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expectLoopbackReach(t, range);
    }
  });

  it('outsideReach: false (--no-outside-reach) leaves the field out', async () => {
    const r = await check([udp], false);
    expect(r.targets[0]?.outsideReach).toBeUndefined();
    expect(r.targets[0]?.ok).toBe(true);
  });

  it('the CLI: --json validates, the text names the reason, --no-outside-reach drops it', async () => {
    const args = [CLI_PATH, 'turn-check', udp, '--user', USER.user, '--password', USER.password];
    const json = await run(process.execPath, [...args, '--json']);
    const parsed = reportSchema.parse(JSON.parse(json.stdout));
    expect(parsed.kind === 'turn-check' && parsed.targets[0]?.outsideReach?.reachable).toBe(REACH_PORTS);
    const text = await run(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' } });
    expect(text.stdout).toMatch(
      /outside reach: not judged — 3 of 3 relay ports tried both ways from 127\.0\.0\.1/,
    );
    expect(text.stdout).toMatch(/the server is on loopback/);
    const off = await run(process.execPath, [...args, '--no-outside-reach']);
    expect(off.stdout).not.toMatch(/outside reach/);
  });
});

describe.skipIf(!coturnAvailable)('outside reach against coturn on loopback', () => {
  describe('loopback peers allowed', () => {
    const server = coturnForSuite(() => ({
      realm: 'reach.test',
      users: new Map([[USER.user, USER.password]]),
      allowLoopbackPeers: true,
    }));

    it('over UDP and TCP: no verdict (same host), data both ways on 3 fresh relay ports', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}`]);
      for (const t of r.targets) {
        expect(t.ok, `${JSON.stringify(t.diagnoses)}\n${server().log().slice(-1500)}`).toBe(true);
        expectLoopbackReach(t);
      }
    });
  });

  describe('loopback peers refused (coturn’s default)', () => {
    const server = coturnForSuite(() => ({
      realm: 'reach.test',
      users: new Map([[USER.user, USER.password]]),
      allowLoopbackPeers: false,
    }));

    it('no port can be tried (403 on CreatePermission, named per port): null, no reach finding', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}?transport=udp`]);
      const reach = r.targets[0]?.outsideReach;
      expect(reach?.verdict).toBeNull();
      expect(reach?.reason).toMatch(/loopback/);
      expect(reach?.ports).toHaveLength(REACH_PORTS);
      for (const p of reach?.ports ?? []) {
        expect(p.inbound).toBeNull();
        expect(p.error).toMatch(/CreatePermission: 403/);
      }
      expect(r.targets[0]?.diagnoses.map((d) => d.code)).not.toContain('relay-ports-closed');
    });
  });
});
