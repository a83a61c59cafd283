import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { coturnForSuite, freePort } from '../../lab/coturn-turn.js';
import {
  resolveTurnCredentials,
  type TurnCredentialFlags,
} from '../../src/cli/config/turn-check-credentials.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import {
  type TurnCheckReport,
  type TurnTargetReport,
  turnCheckReportSchema,
} from '../../src/report/schema.js';
import { selfSignedCert } from '../support/self-signed.js';

const REALM = 'ice-doctor.test';
const USERS = new Map([['alice', 'wonderland']]);
const canTls = existsSync('/usr/bin/openssl');

async function check(
  urls: string[],
  flags: TurnCredentialFlags,
  opts: { insecure?: boolean; timeoutMs?: number } = {},
): Promise<TurnCheckReport> {
  const report = await runTurnCheck({
    targets: parseTurnTargets(urls),
    credentials: resolveTurnCredentials(flags),
    insecure: opts.insecure ?? false,
    timeoutMs: opts.timeoutMs ?? 8000,
  });
  return turnCheckReportSchema.parse(report);
}

const failCodes = (t: TurnTargetReport | undefined): string[] =>
  (t?.diagnoses ?? []).filter((d) => d.severity === 'fail').map((d) => d.code);

describe.skipIf(!coturnAvailable)(
  'turn-check against coturn 4.6.1 (lt-cred-mech, loopback peers allowed)',
  () => {
    const server = coturnForSuite(() => ({
      realm: REALM,
      users: USERS,
      allowLoopbackPeers: true,
      tls: canTls ? selfSignedCert('localhost') : undefined,
    }));

    it('passes over UDP and TCP: every step ok, relayed and mapped addresses on loopback', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}`], { user: 'alice', password: 'wonderland' });
      expect(r.targets.map((t) => t.transport)).toEqual(['udp', 'tcp']);
      for (const t of r.targets) {
        expect(t.diagnoses, `${t.url}\n${server().log().slice(-2000)}`).toEqual([]);
        expect(t.ok).toBe(true);
        expect(t.steps.every((s) => s.status === 'ok')).toBe(true);
        expect(t.relayedAddress?.address).toBe('127.0.0.1');
        expect(t.peerRelayedAddress?.port).not.toBe(t.relayedAddress?.port);
        expect(t.mappedAddress?.address).toBe('127.0.0.1');
        expect(t.realm).toBe(REALM);
        expect(t.lifetimeS).toBeGreaterThan(0);
        // A real relay both ways: Data indications first, ChannelData once channels are bound.
        expect(t.steps.find((s) => s.name === 'send-indication')?.detail).toMatch(
          /^arrived as a Data indication/,
        );
        expect(t.steps.find((s) => s.name === 'peer-channel-data')?.detail).toMatch(
          /^arrived as ChannelData/,
        );
        expect(t.steps.find((s) => s.name === 'deleted-check')?.detail).toMatch(/^gone after/);
        // coturn deletes on its one-second timer tick; the check must not take much longer than that (the
        // relay quality measure, ~1 s of paced probes, is its own time).
        expect(t.durationMs - (t.quality?.durationMs ?? 0)).toBeLessThan(2500);
      }
      expect(r.ok).toBe(true);
      expect(r.targets[1]?.steps[1]).toMatchObject({
        name: 'connect',
        status: 'ok',
        detail: 'TCP connected',
      });
    });

    it.skipIf(!canTls)(
      'passes over TLS with --insecure, and says the certificate was not verified',
      async () => {
        const r = await check(
          [`turns:127.0.0.1:${server().tlsPort}`],
          { user: 'alice', password: 'wonderland' },
          {
            insecure: true,
          },
        );
        const t = r.targets[0]!;
        expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
        expect(t.tlsVerified).toBe(false);
        expect(t.diagnoses).toEqual([
          expect.objectContaining({ code: 'tls-not-verified', severity: 'warn' }),
        ]);
        expect(t.steps.find((s) => s.name === 'channel-data')?.status).toBe('ok');
      },
    );

    it.skipIf(!canTls)('names a self-signed certificate without --insecure, and offers it', async () => {
      const r = await check([`turns:127.0.0.1:${server().tlsPort}`], {
        user: 'alice',
        password: 'wonderland',
      });
      const t = r.targets[0]!;
      expect(t.ok).toBe(false);
      expect(failCodes(t)).toEqual(['tls-self-signed']);
      expect(t.diagnoses[0]?.message).toMatch(/self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\).*--insecure/);
      expect(t.steps.find((s) => s.name === 'allocate')?.status).toBe('skipped');
    });

    it('a wrong password is wrong credentials, over UDP and TCP, after one 401 challenge', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}`], { user: 'alice', password: 'not-it' });
      expect(r.ok).toBe(false);
      for (const t of r.targets) {
        expect(failCodes(t)).toEqual(['wrong-credentials']);
        expect(t.diagnoses[0]?.message).toMatch(/user "alice" in realm "ice-doctor.test"/);
        const allocate = t.steps.find((s) => s.name === 'allocate');
        expect(allocate?.status).toBe('fail');
        // Two requests (the unsigned one and the signed retry); over UDP a busy machine may add a retransmission.
        if (t.transport !== 'udp') expect(allocate?.sent).toBe(2);
        else expect(allocate?.sent).toBeGreaterThanOrEqual(2);
      }
    });

    it('an unknown user is wrong credentials too', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}?transport=udp`], {
        user: 'mallory',
        password: 'x',
      });
      expect(failCodes(r.targets[0])).toEqual(['wrong-credentials']);
    });
  },
);

describe.skipIf(!coturnAvailable)('turn-check against coturn without allow-loopback-peers', () => {
  const server = coturnForSuite(() => ({ realm: REALM, users: USERS, allowLoopbackPeers: false }));

  it('turns: at its plain TCP port (no-tls): tls-no-handshake, confirmed by STUN over plain TCP', async () => {
    const r = await check([`turns:127.0.0.1:${server().port}`], { user: 'alice', password: 'wonderland' });
    const t = r.targets[0]!;
    expect(failCodes(t)).toEqual(['tls-no-handshake']);
    expect(t.diagnoses[0]?.message).toMatch(
      /TCP connected in [\d.]+ ms to 127\.0\.0\.1:\d+, but no TLS handshake.*: this is a plain turn: port \(it answers STUN over plain TCP\)/,
    );
  });

  it('names the forbidden peer (403 on CreatePermission) and still refreshes and deletes', async () => {
    const r = await check([`turn:127.0.0.1:${server().port}?transport=udp`], {
      user: 'alice',
      password: 'wonderland',
    });
    const t = r.targets[0]!;
    expect(t.ok).toBe(false);
    expect(failCodes(t)).toEqual(['forbidden-peer']);
    expect(t.diagnoses[0]).toMatchObject({ step: 'create-permission' });
    expect(t.steps.find((s) => s.name === 'create-permission')?.detail).toMatch(/^403 /);
    expect(t.steps.find((s) => s.name === 'channel-data')).toMatchObject({ status: 'skipped' });
    for (const name of ['allocate', 'refresh', 'delete', 'deleted-check', 'peer-delete'] as const)
      expect(t.steps.find((s) => s.name === name)?.status).toBe('ok');
  });
});

describe.skipIf(!coturnAvailable)(
  'turn-check against coturn with a TURN REST secret (use-auth-secret)',
  () => {
    const server = coturnForSuite(() => ({
      realm: REALM,
      authSecret: 'rest-shared-secret',
      allowLoopbackPeers: true,
    }));

    it('minted REST credentials pass over UDP and TCP', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}`], {
        authSecret: 'rest-shared-secret',
        restUser: 'probe',
      });
      for (const t of r.targets) {
        expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
        expect(t.credentials).toBe('rest');
        expect(t.username).toMatch(/^\d+:probe$/);
      }
    });

    it('a wrong secret is wrong credentials, with the REST hint', async () => {
      const r = await check([`turn:127.0.0.1:${server().port}?transport=udp`], {
        authSecret: 'not-the-secret',
      });
      const t = r.targets[0]!;
      expect(failCodes(t)).toEqual(['wrong-credentials']);
      expect(t.diagnoses[0]?.message).toMatch(/static-auth-secret/);
    });
  },
);

describe('turn-check against ports where no TURN server is', () => {
  let silent: Socket;
  let silentPort: number;
  beforeAll(async () => {
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    silentPort = silent.address().port;
  });
  afterAll(() => silent?.close());

  it('a closed TCP port is named closed, at once', async () => {
    const port = await freePort();
    const started = performance.now();
    const r = await check([`turn:127.0.0.1:${port}?transport=tcp`], { user: 'a', password: 'b' });
    expect(failCodes(r.targets[0])).toEqual(['tcp-port-closed']);
    expect(r.targets[0]?.diagnoses[0]?.message).toMatch(/closed \(connection refused\)/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a UDP port that swallows everything is named silent within the ~3 s transaction budget', async () => {
    let received = 0;
    silent.on('message', () => received++);
    const started = performance.now();
    const r = await check([`turn:127.0.0.1:${silentPort}?transport=udp`], { user: 'a', password: 'b' });
    const elapsed = performance.now() - started;
    const t = r.targets[0]!;
    expect(failCodes(t)).toEqual(['udp-silent']);
    expect(t.steps.find((s) => s.name === 'allocate')).toMatchObject({ status: 'fail', sent: 4 });
    expect(received).toBe(4);
    expect(elapsed).toBeGreaterThan(2500);
    expect(elapsed).toBeLessThan(3500);
  });

  it('a UDP port with nothing bound answers ICMP port-unreachable, named as such', async () => {
    const port = await freePort();
    const r = await check([`turn:127.0.0.1:${port}?transport=udp`], { user: 'a', password: 'b' });
    expect(failCodes(r.targets[0])).toEqual(['udp-port-unreachable']);
  });
});
