import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTurnCheckText } from '../../src/cli/render/turn-check.js';
import { parseHosts } from '../../src/client/transport/hosts-file.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnCheckReport, turnCheckReportSchema } from '../../src/report/schema.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';

const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

/** A bundled TURN server (user alice) on `addresses` at `port`, UDP and TCP only. */
function bundled(addresses: string[], port: number, relayBase: number): Promise<RunningTurnServer> {
  return startTurnServer({
    addresses,
    port,
    turn: {
      users: new Map([['alice', 'wonderland']]),
      relayPorts: { min: relayBase, max: relayBase + 49 },
      tlsPort: null,
    },
  });
}

describe('turn-check: a host name with several addresses, each checked (a fleet behind one name)', () => {
  const servers: RunningTurnServer[] = [];
  let port = 0;
  beforeAll(async () => {
    const base = 42_000 + Math.floor(Math.random() * 60) * 150;
    const first = await bundled(['127.0.0.1'], 0, base);
    servers.push(first);
    port = first.turnUdp[0]!.port;
    servers.push(await bundled(['127.0.0.2'], port, base + 50));
    servers.push(await bundled(['::1'], port, base + 100));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  async function check(hostsText: string, transport: 'udp' | 'tcp'): Promise<TurnCheckReport> {
    return turnCheckReportSchema.parse(
      await runTurnCheck({
        targets: parseTurnTargets([`turn:fleet.test:${port}?transport=${transport}`]),
        credentials: ALICE,
        insecure: false,
        timeoutMs: 8000,
        hosts: parseHosts(hostsText),
      }),
    );
  }

  it.each(['udp', 'tcp'] as const)(
    'over %s: 127.0.0.1, 127.0.0.2 and ::1 each pass, side by side',
    async (transport) => {
      const r = await check(`::1 fleet.test\n127.0.0.1 fleet.test\n127.0.0.2 fleet.test\n`, transport);
      expect(r.targets.map((t) => t.server?.address)).toEqual(['127.0.0.1', '127.0.0.2', '::1']);
      for (const t of r.targets) {
        expect(t.diagnoses).toEqual([]);
        expect(t.ok).toBe(true);
        expect(t.node).toMatchObject({ host: 'fleet.test', addresses: ['127.0.0.1', '127.0.0.2', '::1'] });
        expect(t.node?.address).toBe(t.server?.address);
        expect(t.node?.rttMs).toBeGreaterThan(0);
      }
      expect(r.ok).toBe(true);
      const text = renderTurnCheckText(r);
      expect(text).toMatch(/resolves to 3 addresses, each checked/);
      expect(text).toMatch(/127\.0\.0\.1 +[\d.]+ ms +✔ passed/);
      expect(text).toMatch(/::1 +[\d.]+ ms +✔ passed/);
    },
  );

  it('a node where nothing listens fails alone, and the table says which', async () => {
    const r = await check(`127.0.0.1 fleet.test\n127.0.0.3 fleet.test\n`, 'udp');
    const [good, dead] = r.targets;
    expect(good?.ok).toBe(true);
    expect(dead?.ok).toBe(false);
    expect(dead?.node?.address).toBe('127.0.0.3');
    expect(dead?.diagnoses[0]?.code).toBe('udp-port-unreachable');
    expect(r.ok).toBe(false);
    expect(renderTurnCheckText(r)).toMatch(/127\.0\.0\.3 +— +✘ udp-port-unreachable/);
  });

  it('a name with one address keeps the plain report (no node)', async () => {
    const r = await check(`127.0.0.2 fleet.test\n`, 'udp');
    expect(r.targets).toHaveLength(1);
    expect(r.targets[0]?.ok).toBe(true);
    expect(r.targets[0]?.node).toBeUndefined();
    expect(renderTurnCheckText(r)).not.toMatch(/resolves to/);
  });
});
