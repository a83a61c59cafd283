import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lab/coturn-turn.js';
import { runProbe } from '../../src/client/nat-probe/run-probe.js';
import { openHttpTunnel } from '../../src/client/transport/http-connect.js';
import { type ProxyRoute, parseProxyUrl } from '../../src/client/transport/proxy-config.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { squidConfig } from '../../src/lab/squid-config.js';
import { probeReportSchema, turnCheckReportSchema } from '../../src/report/schema.js';
import type { RunningTurnServer } from '../../src/server/turn/server.js';
import { transportAddress } from '../../src/wire/address.js';
import { startTurnWithCertificate } from '../support/certificate-cases.js';
import { selfSignedCert } from '../support/self-signed.js';

// The CONNECT client against Debian's real squid on 127.0.0.1 (a private port, a temp config; started and
// stopped by PID): TURN over TLS through it to the one allowed port, 403 for another port, 407 without the
// login a second squid wants, and the login given in the URL.

const SQUID = '/usr/sbin/squid';
const canRun = existsSync(SQUID) && existsSync('/usr/bin/openssl') && process.getuid?.() === 0;
const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

interface Squid {
  proc: ChildProcess;
  port: number;
  output: string[];
}

/** True once something accepts a TCP connection on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts squid -N with `conf(port)` in `dir`, and waits (at most 15 s) until it accepts connections. */
async function startSquid(dir: string, name: string, conf: (port: number) => string): Promise<Squid> {
  const port = await freePort();
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, conf(port));
  const proc = spawn(SQUID, ['-N', '-d', '1', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    if (await accepts(port)) return { proc, port, output };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`squid did not listen on 127.0.0.1:${port}:\n${output.join('')}`);
}

/** Stops squid by its PID (SIGTERM; shutdown_lifetime 0), SIGKILL after 5 s. */
async function stopSquid(s: Squid | undefined): Promise<void> {
  if (!s || s.proc.exitCode !== null) return;
  const exited = once(s.proc, 'exit');
  s.proc.kill('SIGTERM');
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const route = (url: string): ProxyRoute => ({
  proxy: parseProxyUrl(url),
  source: 'flag',
  variable: null,
  noProxy: [],
});

describe.skipIf(!canRun)('HTTP CONNECT through Debian squid on loopback', () => {
  let dir: string;
  let certDir: string;
  let turn: RunningTurnServer;
  let open: Squid | undefined;
  let login: Squid | undefined;
  let tlsPort: number;
  let plainPort: number;

  beforeAll(async () => {
    // squid drops to the `proxy` user: its files must be readable by it.
    dir = mkdtempSync(join(tmpdir(), 'idl-squid-'));
    chmodSync(dir, 0o755);
    const cert = selfSignedCert('localhost', 'IP:127.0.0.1');
    certDir = dirname(cert.certFile);
    turn = await startTurnWithCertificate(cert);
    tlsPort = turn.turnTls[0]!.port;
    plainPort = turn.turnTcp[0]!.port;
    const passwords = join(dir, 'passwords');
    const hash = execFileSync('openssl', ['passwd', '-apr1', 'Right-Word']).toString().trim();
    writeFileSync(passwords, `carol:${hash}\n`);
    chmodSync(passwords, 0o644);
    const base443 = { listen: '127.0.0.1', clients: ['127.0.0.0/8'], connectPorts: [tlsPort] };
    open = await startSquid(dir, 'open', (port) => squidConfig({ ...base443, port }));
    login = await startSquid(dir, 'login', (port) =>
      squidConfig({ ...base443, port, login: { passwordFile: passwords } }),
    );
  }, 60_000);

  afterAll(async () => {
    await stopSquid(open);
    await stopSquid(login);
    await turn?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  const check = (urls: string[], proxy: ProxyRoute) =>
    runTurnCheck({
      targets: parseTurnTargets(urls),
      credentials: ALICE,
      insecure: true,
      timeoutMs: 8000,
      quality: false,
      outsideReach: false,
      proxy,
    }).then((r) => turnCheckReportSchema.parse(r));

  it('200: turn-check over TLS through squid passes, every step, marked viaProxy', async () => {
    const r = await check([`turns:127.0.0.1:${tlsPort}`], route(`http://127.0.0.1:${open!.port}`));
    const t = r.targets[0]!;
    expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
    expect(t.viaProxy).toBe(true);
    expect(t.relayedAddress?.address).toBe('127.0.0.1');
    expect(r.proxy).toEqual({ url: `http://127.0.0.1:${open!.port}`, source: 'flag' });
  });

  it('403: squid refuses CONNECT to a port that is not an SSL port, named in words', async () => {
    const r = await check(
      [`turn:127.0.0.1:${plainPort}?transport=tcp`],
      route(`http://127.0.0.1:${open!.port}`),
    );
    const t = r.targets[0]!;
    expect(t.ok).toBe(false);
    expect(t.diagnoses.map((d) => d.code)).toEqual(['connection-failed']);
    expect(t.diagnoses[0]!.message).toContain(
      `does not allow CONNECT to port ${plainPort} (403) — most offices allow only 443`,
    );
  });

  it('probe: STUN over TLS through squid answers, the TCP port is refused (403)', async () => {
    const r = probeReportSchema.parse(
      await runProbe({
        urls: [`stuns:127.0.0.1:${tlsPort}`, `stun:127.0.0.1:${plainPort}?transport=tcp`],
        timeoutMs: 4000,
        insecure: true,
        proxy: route(`http://127.0.0.1:${open!.port}`),
      }),
    );
    expect(r.reachability.map((x) => [x.url, x.reachable, x.viaProxy])).toEqual([
      [`stuns:127.0.0.1:${tlsPort}`, true, true],
      [`stun:127.0.0.1:${plainPort}?transport=tcp`, false, true],
    ]);
    expect(r.reachability[1]!.error).toContain('(403)');
  });

  it('407: a squid that wants a login, asked without one, and with a wrong one', async () => {
    for (const url of [`http://127.0.0.1:${login!.port}`, `http://carol:Wrong@127.0.0.1:${login!.port}`]) {
      const err = await openHttpTunnel(parseProxyUrl(url), {
        to: transportAddress('127.0.0.1', tlsPort),
        timeoutMs: 5000,
        signal: new AbortController().signal,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PROXY_AUTH_REQUIRED', status: 407 });
    }
  });

  it('the login in the URL (Basic Proxy-Authorization): turn-check passes through it', async () => {
    const r = await check(
      [`turns:127.0.0.1:${tlsPort}`],
      route(`http://carol:Right-Word@127.0.0.1:${login!.port}`),
    );
    expect(r.targets[0]!.ok, JSON.stringify(r.targets[0]!.diagnoses)).toBe(true);
    expect(JSON.stringify(r)).not.toContain('Right-Word');
  });
});
