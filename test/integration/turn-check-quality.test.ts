import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { coturnForSuite } from '../../lab/coturn-turn.js';
import { resolveTurnCredentials } from '../../src/cli/config/turn-check-credentials.js';
import { DATAGRAM_SIZES } from '../../src/client/turn-check/quality.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnTargetReport, turnCheckReportSchema } from '../../src/report/schema.js';
import { selfSignedCert } from '../support/self-signed.js';
import { type ServeProcess, startListening } from '../support/serve-process.js';

const canTls = existsSync('/usr/bin/openssl');

async function check(urls: string[], quality?: false, timeoutMs = 10_000) {
  return turnCheckReportSchema.parse(
    await runTurnCheck({
      targets: parseTurnTargets(urls),
      credentials: resolveTurnCredentials({ user: 'alice', password: 'wonderland' }),
      insecure: true,
      timeoutMs,
      ...(quality === false && { quality }),
    }),
  );
}

/** `ice-doctor serve` (the built CLI) on 127.0.0.1, free ports, user alice, and `extra` flags. */
function serveAlice(extra: string[]): Promise<ServeProcess> {
  return startListening([
    '--port',
    '0',
    '--json',
    '--listen',
    '127.0.0.1',
    '--user',
    'alice:wonderland',
    ...extra,
  ]);
}

/** Runs the built CLI (dist/cli.js) to its end. */
function cli(args: string[]) {
  const r = spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The loopback expectations of one target: 50 probes, none lost (loopback drops nothing at 8 kB/s), RTT
 * percentiles in order, and every size up to 1500 bytes back (loopback's MTU is 65536: the sizes tried stop
 * at 1500).
 */
function expectCleanLoopback(t: TurnTargetReport | undefined): void {
  const q = t?.quality;
  expect(q, JSON.stringify(t)).toBeDefined();
  expect(q).toMatchObject({
    sent: 50,
    received: 50,
    lossPercent: 0,
    intervalMs: 20,
    reason: null,
    maxDatagramBytes: 1500,
  });
  expect(q!.rttMs!.min).toBeGreaterThan(0);
  expect(q!.rttMs!.min).toBeLessThanOrEqual(q!.rttMs!.p50);
  expect(q!.rttMs!.p50).toBeLessThanOrEqual(q!.rttMs!.p90);
  expect(q!.rttMs!.p90).toBeLessThanOrEqual(q!.rttMs!.p99);
  expect(q!.rttMs!.p99).toBeLessThanOrEqual(q!.rttMs!.max);
  expect(q!.jitterMs).toBeGreaterThanOrEqual(0);
  expect(q!.datagramSizes).toEqual(DATAGRAM_SIZES.map((bytes) => ({ bytes, ok: true })));
  expect(q!.durationMs).toBeGreaterThanOrEqual(1000);
  expect(t!.diagnoses.filter((d) => d.code.startsWith('relay-'))).toEqual([]);
}

describe('relay quality against the bundled server (ice-doctor serve) over UDP, TCP and TLS', () => {
  let served: ServeProcess | undefined;
  let urls: string[];
  beforeAll(async () => {
    const base = 50_000 + Math.floor(Math.random() * 90) * 100;
    served = await serveAlice(['--relay-ports', `${base}-${base + 99}`]);
    const turn = served.line.turn;
    urls = [
      `turn:127.0.0.1:${turn.udp[0]?.port}?transport=udp`,
      `turn:127.0.0.1:${turn.tcp[0]?.port}?transport=tcp`,
      `turns:127.0.0.1:${turn.tls[0]?.port}`,
    ];
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('measures every transport: 50 echoes, no loss, RTT percentiles, sizes up to 1500 bytes', async () => {
    const r = await check(urls);
    expect(r.targets.map((t) => t.transport)).toEqual(['udp', 'tcp', 'tls']);
    for (const t of r.targets) expectCleanLoopback(t);
  });

  it('--no-quality (quality: false): no quality field, no probe sent', async () => {
    const r = await check([urls[0]!], false);
    expect(r.targets[0]?.ok).toBe(true);
    expect(r.targets[0]).not.toHaveProperty('quality');
  });

  it('a deadline too short for the measure and the steps after it: not measured, the check still passes', async () => {
    const r = await check([urls[0]!], undefined, 3000);
    const t = r.targets[0]!;
    expect(t.ok).toBe(true);
    expect(t.quality).toMatchObject({ sent: 0, lossPercent: null });
    expect(t.quality?.reason).toMatch(
      /^not measured: not enough time before the deadline \(--timeout\): \d+ ms left/,
    );
  });

  it('the CLI: --json validates with quality, text has one relay quality line per transport', () => {
    const auth = ['--user', 'alice', '--password', 'wonderland', '--insecure'];
    const json = cli(['turn-check', urls[0]!, urls[2]!, ...auth, '--json', '--quality-duration', '400']);
    expect(json.code, json.stderr).toBe(0);
    const report = turnCheckReportSchema.parse(JSON.parse(json.stdout));
    expect(report.targets.map((t) => t.quality?.sent)).toEqual([20, 20]);
    const text = cli(['turn-check', urls[1]!, ...auth]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /relay quality: RTT p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms \(min [\d.]+ ms, max [\d.]+ ms\), loss 0 % \(0 of 50\), jitter [\d.]+ ms, largest datagram 1500 bytes/,
    );
    const off = cli(['turn-check', urls[1]!, ...auth, '--no-quality']);
    expect(off.stdout).not.toMatch(/relay quality/);
  });

  it('--quality-duration out of range: exit 2 naming the flag and the accepted range, nothing sent', () => {
    const r = cli(['turn-check', urls[0]!, '--user', 'a', '--password', 'b', '--quality-duration', '50']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /--quality-duration: must be a whole number of milliseconds \(200–10000\), got '50'/,
    );
  });
});

describe.skipIf(!coturnAvailable)('relay quality against coturn 4.6.1 over UDP, TCP and TLS', () => {
  const server = coturnForSuite(() => ({
    realm: 'ice-doctor.test',
    users: new Map([['alice', 'wonderland']]),
    allowLoopbackPeers: true,
    tls: canTls ? selfSignedCert('localhost') : undefined,
  }));

  it('measures every transport: 50 echoes, no loss, sizes up to 1500 bytes', async () => {
    const urls = [`turn:127.0.0.1:${server().port}`];
    if (canTls) urls.push(`turns:127.0.0.1:${server().tlsPort}`);
    const r = await check(urls);
    expect(r.targets.map((t) => t.transport)).toEqual(canTls ? ['udp', 'tcp', 'tls'] : ['udp', 'tcp']);
    for (const t of r.targets) expectCleanLoopback(t);
  });
});

describe('relay quality not measured when the relay carried no data', () => {
  it('a relay that refuses the peer: quality has a reason and no numbers, never "100 % loss"', async () => {
    // The bundled server relays only to the peers it allows: with the relay on 127.0.0.1 and peers limited to
    // another range, CreatePermission fails, so no data crosses the relay at all.
    const served = await serveAlice(['--allow-peer', '192.0.2.0/24']);
    try {
      const r = await check([`turn:127.0.0.1:${served.line.turn.udp[0]?.port}?transport=udp`]);
      const t = r.targets[0]!;
      expect(t.ok).toBe(false);
      expect(t.quality).toMatchObject({ sent: 0, lossPercent: null, rttMs: null, maxDatagramBytes: null });
      expect(t.quality?.reason).toMatch(/^not measured: ChannelData did not cross the relay both ways/);
      expect(t.diagnoses.map((d) => d.code)).not.toContain('relay-loss-high');
    } finally {
      await served.stop();
    }
  });
});
