import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import {
  resolveTurnCredentials,
  type TurnCredentialFlags,
} from '../../src/cli/config/turn-check-credentials.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { turnCheckReportSchema } from '../../src/report/schema.js';
import type { ServeLine } from '../../src/report/serve-schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { type ServeProcess, startListening } from '../support/serve-process.js';

/** The TURN part of `ice-doctor serve --json`. */
type ServedTurn = ServeLine['turn'];

/** Starts `ice-doctor serve --port 0 --json` (the built CLI, as users get it) on `listen`. */
function serve(args: string[], listen = '127.0.0.1'): Promise<ServeProcess> {
  return startListening(['--port', '0', '--json', '--listen', listen, ...args]);
}

async function check(urls: string[], flags: TurnCredentialFlags, insecure: boolean) {
  return turnCheckReportSchema.parse(
    await runTurnCheck({
      targets: parseTurnTargets(urls),
      credentials: resolveTurnCredentials(flags),
      insecure,
      timeoutMs: 8000,
    }),
  );
}

describe('turn-check against the bundled server (ice-doctor serve)', () => {
  let served: ServeProcess | undefined;
  let turn: ServedTurn;
  let urls: string[];
  beforeAll(async () => {
    const base = 50_000 + Math.floor(Math.random() * 90) * 100;
    served = await serve([
      '--user',
      'alice:wonderland',
      '--auth-secret',
      'bundled-secret',
      '--relay-ports',
      `${base}-${base + 99}`,
    ]);
    turn = served.line.turn;
    const at = (a: TransportAddress | undefined): string => `127.0.0.1:${a?.port}`;
    urls = [
      `turn:${at(turn.udp[0])}?transport=udp`,
      `turn:${at(turn.tcp[0])}?transport=tcp`,
      `turns:${at(turn.tls[0])}`,
    ];
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('serve --json lists TURN endpoints over udp, tcp and tls, and the families it relays', () => {
    expect(turn.relayFamilies).toEqual(['IPv4']);
    expect(turn.udp).toHaveLength(1);
    expect(turn.tcp).toHaveLength(1);
    expect(turn.tls).toHaveLength(1);
  });

  it('passes over UDP, TCP and TLS (self-signed certificate, --insecure) with long-term credentials', async () => {
    const r = await check(urls, { user: 'alice', password: 'wonderland' }, true);
    expect(r.targets.map((t) => t.transport)).toEqual(['udp', 'tcp', 'tls']);
    for (const t of r.targets) {
      expect(t.ok, `${t.url}: ${JSON.stringify(t.diagnoses)}`).toBe(true);
      expect(t.steps.every((s) => s.status === 'ok')).toBe(true);
      expect(t.realm).toBe(turn.realm);
      expect(t.relayedAddress?.address).toBe('127.0.0.1');
    }
    expect(r.targets[2]?.diagnoses.map((d) => d.code)).toEqual(['tls-not-verified']);
    for (const t of r.targets) expect(t.relayFamilies).toEqual({ IPv4: true, IPv6: false });
  });

  it('turns: at the plain TCP port: tls-no-handshake, confirmed as a plain turn: port (not ECONNRESET)', async () => {
    const r = await check(
      [`turns:127.0.0.1:${turn.tcp[0]?.port}`],
      { user: 'alice', password: 'wonderland' },
      false,
    );
    const t = r.targets[0]!;
    expect(t.diagnoses.map((d) => d.code)).toEqual(['tls-no-handshake']);
    expect(t.diagnoses[0]?.message).toMatch(
      /TCP connected in [\d.]+ ms to 127\.0\.0\.1:\d+, but no TLS handshake/,
    );
    expect(t.diagnoses[0]?.message).toMatch(
      new RegExp(
        `this is a plain turn: port .*Use turn:127\\.0\\.0\\.1:${turn.tcp[0]?.port}\\?transport=tcp`,
      ),
    );
  });

  it('passes with TURN REST credentials minted from the shared secret', async () => {
    const r = await check(urls.slice(0, 2), { authSecret: 'bundled-secret' }, false);
    expect(r.ok, JSON.stringify(r.targets.map((t) => t.diagnoses))).toBe(true);
  });

  it('names wrong credentials, and the self-signed certificate without --insecure', async () => {
    const wrong = await check([urls[0]!], { user: 'alice', password: 'nope' }, false);
    expect(wrong.targets[0]?.diagnoses.map((d) => d.code)).toEqual(['wrong-credentials']);
    const tls = await check([urls[2]!], { user: 'alice', password: 'wonderland' }, false);
    expect(tls.targets[0]?.diagnoses.map((d) => d.code)).toEqual(['tls-self-signed']);
  });
});

describe('turn-check against the bundled server after its brute-force limiter blocked this address', () => {
  let served: ServeProcess | undefined;
  let url: string;
  beforeAll(async () => {
    const base = 50_000 + Math.floor(Math.random() * 90) * 100;
    served = await serve([
      '--user',
      'alice:wonderland',
      '--auth-failure-limit',
      '2',
      '--relay-ports',
      `${base}-${base + 99}`,
      '--no-report',
    ]);
    url = `turn:127.0.0.1:${served.line.turn.udp[0]?.port}?transport=udp`;
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('the right password refused after two wrong ones: names rate-limiting as a cause, not only a wrong password', async () => {
    for (let i = 0; i < 2; i++) {
      const wrong = await check([url], { user: 'alice', password: 'guess' }, false);
      expect(wrong.targets[0]?.diagnoses.map((d) => d.code)).toEqual(['wrong-credentials']);
    }
    const right = await check([url], { user: 'alice', password: 'wonderland' }, false);
    const d = right.targets[0]?.diagnoses[0];
    expect(d?.code).toBe('wrong-credentials');
    expect(d?.message).toMatch(/or the server is rate-limiting this address after failed attempts/);
  });
});

describe('turn-check against an IPv6-only bundled server (serve --listen ::1)', () => {
  let served: ServeProcess | undefined;
  let turn: ServedTurn;
  beforeAll(async () => {
    const base = 50_000 + Math.floor(Math.random() * 90) * 100;
    served = await serve(
      ['--user', 'alice:wonderland', '--relay-ports', `${base}-${base + 99}`, '--no-report'],
      '::1',
    );
    turn = served.line.turn;
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('serve --json says it relays IPv6 only', () => {
    expect(turn.relayFamilies).toEqual(['IPv6']);
  });

  it('serve (text) says so at start-up', async () => {
    const text = spawn(
      process.execPath,
      [CLI_PATH, 'serve', '--port', '0', '--listen', '::1', '--no-report', '--no-tls'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      // 20 s: a Node start on a loaded two-core machine took up to 8.5 s (measured); the text is what is tested.
      const timer = setTimeout(() => reject(new Error(`no start-up text in 20 s:\n${out}`)), 20_000);
      text.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('Serving until')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise((r) => text.once('exit', r));
    process.kill(text.pid!, 'SIGTERM');
    await exited;
    expect(out).toMatch(
      /relays IPv6 only: an Allocate without REQUESTED-ADDRESS-FAMILY IPv6 asks for IPv4 and gets 440/,
    );
  });

  it('asks for an IPv6 relay: passes over UDP and TCP, and reports IPv6 relayed, IPv4 refused (440)', async () => {
    const r = await check(
      [`turn:[::1]:${turn.udp[0]?.port}`],
      { user: 'alice', password: 'wonderland' },
      false,
    );
    expect(r.targets.map((t) => t.transport)).toEqual(['udp', 'tcp']);
    for (const t of r.targets) {
      expect(t.ok, `${t.url}: ${JSON.stringify(t.diagnoses)}`).toBe(true);
      expect(t.relayedAddress).toMatchObject({ address: '::1', family: 'IPv6' });
      expect(t.relayFamilies).toEqual({ IPv4: false, IPv6: true });
      expect(t.steps.find((s) => s.name === 'family-allocate')).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/^does not relay IPv4 \(440 /),
      });
    }
  });
});
