import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnTurn, freePort, startCoturnTurn } from '../../lab/coturn-turn.js';
import { renderTurnCheckText } from '../../src/cli/render/turn-check.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnCheckReport, turnCheckReportSchema } from '../../src/report/schema.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import type { TurnSettingsInput } from '../../src/server/turn/settings.js';
import { formatAddress } from '../../src/wire/address.js';
import { startListening } from '../support/serve-process.js';

const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;
const canCoturn = existsSync('/usr/bin/turnserver');

/** A bundled TURN server (user alice, no TLS) on `address`:`port` with `more` settings. */
function bundled(address: string, port: number, more: TurnSettingsInput = {}): Promise<RunningTurnServer> {
  const base = 45_000 + Math.floor(Math.random() * 180) * 100;
  return startTurnServer({
    addresses: [address],
    port,
    turn: {
      users: new Map([['alice', 'wonderland']]),
      relayPorts: { min: base, max: base + 49 },
      tlsPort: null,
      ...more,
    },
  });
}

async function check(url: string): Promise<TurnCheckReport> {
  return turnCheckReportSchema.parse(
    await runTurnCheck({
      targets: parseTurnTargets([url]),
      credentials: ALICE,
      insecure: false,
      timeoutMs: 8000,
    }),
  );
}

const at = (s: RunningTurnServer): string => formatAddress(s.turnUdp[0]!);

describe('turn-check and serve --alternate-server: 300 Try Alternate (RFC 8489 §10, RFC 8656 §7.2)', () => {
  const servers: RunningTurnServer[] = [];
  let target: RunningTurnServer;
  let coturn: CoturnTurn | undefined;
  beforeAll(async () => {
    target = await bundled('127.0.0.2', 0);
    servers.push(target);
  });
  afterAll(async () => {
    await coturn?.stop();
    for (const s of servers) await s.close();
  });

  it.each(['udp', 'tcp'] as const)(
    'over %s: one redirect is followed, the steps run at the alternate, said in words',
    async (transport) => {
      const front = await bundled('127.0.0.1', 0, { alternateServers: [at(target)] });
      servers.push(front);
      const r = await check(`turn:${at(front)}?transport=${transport}`);
      const t = r.targets[0]!;
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.alternate).toEqual({
        from: front.turnUdp[0],
        to: target.turnUdp[0],
        domain: null,
        followed: true,
        why: null,
        secondRedirect: null,
      });
      expect(t.relayedAddress?.address).toBe('127.0.0.2');
      expect(renderTurnCheckText(r)).toMatch(
        new RegExp(
          `redirected: ${at(front)} answered Allocate with 300 Try Alternate to ${at(target)}; the steps below ran there`,
        ),
      );
    },
  );

  it('a second redirect is reported, not followed: alternate-not-followed', async () => {
    const middle = await bundled('127.0.0.3', 0, { alternateServers: [at(target)] });
    const front = await bundled('127.0.0.1', 0, { alternateServers: [at(middle)] });
    servers.push(middle, front);
    const t = (await check(`turn:${at(front)}`)).targets[0]!;
    expect(t.ok).toBe(false);
    expect(t.alternate).toMatchObject({
      to: middle.turnUdp[0],
      followed: true,
      secondRedirect: target.turnUdp[0],
    });
    expect(t.diagnoses[0]?.code).toBe('alternate-not-followed');
    expect(t.diagnoses[0]?.message).toMatch(/again, to 127\.0\.0\.2:\d+: one redirect is followed/);
  });

  it('a redirect to the server itself is a loop: not followed', async () => {
    const port = await freePort();
    const self = await bundled('127.0.0.1', port, { alternateServers: [`127.0.0.1:${port}`] });
    servers.push(self);
    const t = (await check(`turn:127.0.0.1:${port}`)).targets[0]!;
    expect(t.ok).toBe(false);
    expect(t.alternate).toMatchObject({
      followed: false,
      why: 'the alternate is the server that redirected (a loop)',
    });
    expect(t.diagnoses[0]?.message).toMatch(/same server: a redirect loop/);
  });

  it('--alternate-server-when full: the first Allocate is served, the one over the total quota is redirected', async () => {
    const full = await bundled('127.0.0.1', 0, {
      alternateServers: [at(target)],
      alternateWhen: 'full',
      totalQuota: 1,
    });
    servers.push(full);
    const t = (await check(`turn:${at(full)}`)).targets[0]!;
    expect(t.alternate).toBeUndefined();
    expect(t.steps.find((s) => s.name === 'allocate')?.status).toBe('ok');
    const d = t.diagnoses.find((x) => x.step === 'peer-allocate');
    expect(d?.code).toBe('alternate-not-followed');
    expect(d?.message).toMatch(
      new RegExp(`second Allocate with 300 .* to ${at(target)} after granting the first`),
    );
  });

  it('alternates of the other family only: no redirect (coturn hands out the client family only)', async () => {
    const front = await bundled('127.0.0.1', 0, { alternateServers: ['[::1]:3478'] });
    servers.push(front);
    const t = (await check(`turn:${at(front)}`)).targets[0]!;
    expect(t.ok).toBe(true);
    expect(t.alternate).toBeUndefined();
  });

  it('the built CLI: serve --alternate-server redirects, turn-check follows', async () => {
    const served = await startListening([
      '--port',
      '0',
      '--json',
      '--listen',
      '127.0.0.1',
      '--no-report',
      '--user',
      'alice:wonderland',
      '--alternate-server',
      at(target),
    ]);
    try {
      const front = served.line.turn.udp[0]!;
      const t = (await check(`turn:127.0.0.1:${front.port}`)).targets[0]!;
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.alternate).toMatchObject({ from: front, to: target.turnUdp[0], followed: true });
    } finally {
      await served.stop();
    }
  });

  describe.skipIf(!canCoturn)('real coturn with alternate-server=', () => {
    it('coturn redirects every Allocate; turn-check follows it to the bundled server and passes', async () => {
      coturn = await startCoturnTurn({
        realm: 'ice-doctor',
        users: new Map([['alice', 'wonderland']]),
        allowLoopbackPeers: true,
        extra: [`alternate-server=${at(target)}`],
      });
      const r = await check(`turn:127.0.0.1:${coturn.port}`);
      const t = r.targets[0]!;
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.alternate).toMatchObject({ to: target.turnUdp[0], followed: true, secondRedirect: null });
      expect(t.relayedAddress?.address).toBe('127.0.0.2');
    });
  });
});
