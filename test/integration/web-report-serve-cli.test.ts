/**
 * `ice-doctor serve` with the report page, as a child process from the sources (node --import tsx): the
 * text output names the URL to open, the URL serves the built page, its minted TURN credentials allocate
 * on the same process's TURN server while the --user password is never served, --json has the report
 * block, --no-report turns it off, a bad --page-ice-server or --public-host exits 2, SIGTERM exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTurnUrl } from '../../src/client/url/turn-url.js';
import { iceConfigSchema } from '../../src/web/api-schema.js';
import { getErrorCode } from '../../src/wire/message.js';
import { restPassword } from '../../src/wire/rest-credentials.js';
import { selfSignedCert } from '../support/self-signed.js';
import { startListening } from '../support/serve-process.js';
import { RawTurnClient } from '../support/turn-raw.js';
import { fetchRaw } from '../support/web-report.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'serve'];
const PASSWORD = 'cli-static-Password-42';
const started: ChildProcess[] = [];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGKILL');
});

/** `serve --json` from the sources on 127.0.0.1,127.0.0.2 with a picked port (test/support/serve-process.ts). */
function serveJson(args: string[], env: Record<string, string> = {}) {
  return startListening(['--listen', '127.0.0.1,127.0.0.2', '--port', '0', '--json', ...args], {
    source: true,
    env,
  });
}

function serve(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [...CLI, '--listen', '127.0.0.1,127.0.0.2', '--port', '0', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

/** The first stdout line matching `pattern`, within 20 s. */
function lineMatching(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within 20 s`)), 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}`)));
  });
}

/** The stderr lines of `serve --port 0 <args>`, which must exit 2 (a usage error). */
async function refused(args: string[]): Promise<string[]> {
  const bad = spawn(process.execPath, [...CLI, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(bad);
  let stderr = '';
  bad.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  expect(await exitCode(bad)).toBe(2);
  return stderr.trim().split('\n');
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('ice-doctor serve: the report page', () => {
  it('prints the URL to open; it serves the page and credentials that allocate; the --user password never shows; SIGTERM exits 0', async () => {
    const child = serve(['--user', `alice:${PASSWORD}`]);
    try {
      const line = await lineMatching(child, /^Open http:/);
      const [, url, https] = /^Open (http:\/\/\S+\/) in a browser .*\(or (https:\/\/\S+\/),/.exec(line) ?? [];
      expect(url, line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetchRaw(url!);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect((await fetchRaw(https!)).status).toBe(200);

      const ice = await fetchRaw(`${url}api/ice-servers`);
      expect(ice.body).not.toContain(PASSWORD);
      const config = iceConfigSchema.parse(JSON.parse(ice.body));
      const turn = config.targets.find((t) => t.kind === 'turn-udp')!;
      const u = parseTurnUrl(turn.iceServer.urls);
      const client = await RawTurnClient.udp({ address: u.host, port: u.port, family: 'IPv4' });
      const allocated = await client.allocate({
        username: turn.iceServer.username!,
        password: turn.iceServer.credential!,
      });
      await client.close();
      expect(getErrorCode(allocated)).toBeUndefined();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
  });

  it('--json: a report block with both URLs; --no-report: null', async () => {
    const on = await serveJson([]);
    const off = await serveJson(['--no-report']);
    try {
      const withReport = on.line;
      expect(withReport.report?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(withReport.report?.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetchRaw(`${withReport.report?.httpsUrl}api/config`)).status).toBe(200);
      const without = off.line;
      expect(without.report).toBeNull();
      expect(without.turn.authSecrets).toBe(0);
    } finally {
      expect((await on.stop()).code).toBe(0);
      expect((await off.stop()).code).toBe(0);
    }
  });

  it("--tls-cert/--tls-key: the page's HTTPS listener uses the operator's certificate too", async () => {
    const { certFile, keyFile } = selfSignedCert('page.example.org');
    const child = await serveJson(['--tls-cert', certFile, '--tls-key', keyFile]);
    try {
      const served = child.line;
      expect(served.turn.certificate?.selfSigned).toBe(true);
      const { hostname, port } = new URL(served.report!.httpsUrl!);
      const fingerprint = await new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
          resolve(s.getPeerCertificate().fingerprint256);
          s.end();
        });
        s.once('error', reject);
      });
      expect(fingerprint).toBe(served.turn.certificate?.fingerprint256);
    } finally {
      expect((await child.stop()).code).toBe(0);
    }
  });

  it('--page-ice-server adds another server to the path matrix; a bad one exits 2 with one line', async () => {
    const child = await serveJson(
      [
        '--page-ice-server',
        'stun:stun.example.org',
        '--page-ice-server',
        'turn:turn.example.org:3478;secret-env=PAGE_TEST_SECRET',
      ],
      { PAGE_TEST_SECRET: 'page-test-secret' },
    );
    try {
      const ice = await fetchRaw(`${child.line.report?.url}api/ice-servers`);
      expect(ice.body).not.toContain('page-test-secret');
      const config = iceConfigSchema.parse(JSON.parse(ice.body));
      const others = config.targets.filter((t) => t.server !== 'bundled');
      expect(others.map((t) => [t.id, t.kind, t.server, t.iceServer.urls])).toEqual([
        ['stun-3', 'stun', 'stun.example.org', 'stun:stun.example.org:3478'],
        ['turn-udp-2', 'turn-udp', 'turn.example.org', 'turn:turn.example.org:3478?transport=udp'],
        ['turn-tcp-2', 'turn-tcp', 'turn.example.org', 'turn:turn.example.org:3478?transport=tcp'],
      ]);
      const { username, credential } = others[1]!.iceServer;
      expect(username).toMatch(/^\d+:page-/);
      expect(credential).toBe(restPassword('page-test-secret', username!));
    } finally {
      expect((await child.stop()).code).toBe(0);
    }

    expect(await refused(['--page-ice-server', 'turn:turn.example.org'])).toEqual([
      'ice-doctor: --page-ice-server: turn:turn.example.org: a TURN URL needs ;secret=S, ;secret-env=VAR or ;user=NAME:PASSWORD',
      expect.stringMatching(/^Run '.+ serve --help' for usage\.$/),
    ]);
  });

  it('--public-host: a name that is not a host name exits 2 with one line naming the flag', async () => {
    expect(await refused(['--public-host', 'ok.example,turn.example.org:8443'])).toEqual([
      "ice-doctor: --public-host: 'turn.example.org:8443' is not a host name or IP address (like turn.example.org; no scheme, port or path)",
      expect.stringMatching(/^Run '.+ serve --help' for usage\.$/),
    ]);
  });
});
