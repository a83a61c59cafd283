/**
 * `ice-doctor serve --public-host NAME` with a certificate for NAME, as a child process from the sources:
 * the page's `turns:` URL and the printed page URLs name NAME (stun: and turn: keep the IP literals), a
 * real TLS client that verifies the certificate against NAME (resolved to 127.0.0.1 by the client's own
 * lookup, no /etc/hosts) completes the handshake and gets a STUN answer over that `turns:` URL, while the
 * IP literal the page used before fails verification; a certificate that does not name NAME is warned
 * about at start (naming both), and the server still runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIceServerUrl } from '../../src/shared/ice-url.js';
import { iceConfigSchema } from '../../src/web/api-schema.js';
import { StunClass } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';
import { selfSignedCert } from '../support/self-signed.js';
import { startListening } from '../support/serve-process.js';
import { fetchRaw } from '../support/web-report.js';
import { bindingRequest } from './stun-server-helpers.js';

const NAME = 'turn.ice-doctor.test';
const started: ChildProcess[] = [];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGKILL');
});

/** Resolves every name to 127.0.0.1: the client's own resolver, so no /etc/hosts entry is needed. */
const toLoopback: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** A TLS connection to `host:port` that verifies the certificate against `ca` and `host` (RFC 6125). */
function verifiedTls(host: string, port: number, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ca,
      lookup: toLoopback,
      ...(isIP(host) === 0 && { servername: host }),
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends a STUN Binding request over `socket` and resolves with the class of the answer. */
function bindingOver(socket: TLSSocket): Promise<number> {
  const request = bindingRequest();
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 20 || got.length < 20 + got.readUInt16BE(2)) return;
      resolve(decodeMessage(got.subarray(0, 20 + got.readUInt16BE(2))).cls);
    });
    socket.once('error', reject);
    socket.write(request.bytes);
  });
}

/** GET `path` over HTTPS on `host:port`, the certificate verified against `ca` and `host`. */
function verifiedGet(host: string, port: number, path: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host, port, path, ca, lookup: toLoopback, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve --public-host with a certificate for the name', () => {
  it("turns: URLs and the --json line's page URLs name the host; a verifying TLS client gets through by the name only", async () => {
    const { certFile, keyFile } = selfSignedCert(NAME, `DNS:${NAME}`);
    const ca = readFileSync(certFile, 'utf8');
    const serve = await startListening(
      [
        '--listen',
        '127.0.0.1,127.0.0.2',
        '--port',
        '0',
        '--json',
        '--tls-cert',
        certFile,
        '--tls-key',
        keyFile,
        '--public-host',
        `${NAME.toUpperCase()}.`,
      ],
      { source: true },
    );
    try {
      const { line } = serve;
      const tlsPort = line.turn.tls[0]!.port;
      const httpPort = new URL(line.report!.url!).port;
      const httpsPort = Number(new URL(line.report!.httpsUrl!).port);
      expect(line.report).toMatchObject({
        url: `http://127.0.0.1:${httpPort}/`,
        publicHost: NAME,
        publicUrl: `http://${NAME}:${httpPort}/`,
        publicHttpsUrl: `https://${NAME}:${httpsPort}/`,
      });
      expect(line.turn.urls).toEqual([
        `turn:127.0.0.1:${line.turn.udp[0]!.port}?transport=udp`,
        `turn:127.0.0.1:${line.turn.tcp[0]!.port}?transport=tcp`,
        `turns:${NAME}:${tlsPort}?transport=tcp`,
      ]);

      const ice = iceConfigSchema.parse(
        JSON.parse((await fetchRaw(`${line.report!.url}api/ice-servers`)).body),
      );
      const urls = ice.targets.map((t) => [t.kind, t.iceServer.urls]);
      expect(urls).toEqual([
        ['stun', `stun:127.0.0.1:${line.udp[0]!.port}`],
        ['stun', `stun:127.0.0.2:${line.otherAddress!.port}`],
        ['turn-udp', `turn:127.0.0.1:${line.turn.udp[0]!.port}?transport=udp`],
        ['turn-tcp', `turn:127.0.0.1:${line.turn.tcp[0]!.port}?transport=tcp`],
        ['turns', `turns:${NAME}:${tlsPort}?transport=tcp`],
      ]);

      // The browser's view of the turns: URL: connect to its host and port, verify the certificate for it.
      const turns = parseIceServerUrl(ice.targets.find((t) => t.kind === 'turns')!.iceServer.urls as string);
      if (!turns.ok) throw new Error(turns.message);
      const socket = await verifiedTls(turns.url.host, turns.url.port, ca);
      expect(socket.authorized).toBe(true);
      expect(await bindingOver(socket)).toBe(StunClass.successResponse);
      socket.destroy();
      // What the page handed out before: the IP literal, which a certificate for a name does not cover.
      await expect(verifiedTls('127.0.0.1', tlsPort, ca)).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      // The page itself by the name: the certificate verifies and the Host allow-list answers it.
      expect(await verifiedGet(NAME, httpsPort, '/api/config', ca)).toBe(200);
      expect(serve.stderr()).not.toContain('does not name');
    } finally {
      expect((await serve.stop()).code).toBe(0);
    }
  });
});

/** Runs `serve` (text output) and resolves with its stdout once it says it is serving, and its stderr. */
async function serveText(
  args: string[],
): Promise<{ child: ChildProcess; stdout: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--listen', '127.0.0.1', '--port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving within 20 s: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('Serving until')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, stdout, stderr: () => stderr };
}

describe('serve --public-host, text output', () => {
  it('prints the page and turns: URLs on the name, where it listens, and warns about a certificate for another name', async () => {
    const { certFile, keyFile } = selfSignedCert(
      'other.ice-doctor.test',
      'DNS:other.ice-doctor.test,IP:127.0.0.1',
    );
    const { child, stdout, stderr } = await serveText([
      '--tls-cert',
      certFile,
      '--tls-key',
      keyFile,
      '--public-host',
      NAME,
    ]);
    try {
      const [, http, https] =
        /^Open (http:\/\/\S+\/) in a browser .*\(or (https:\/\/\S+\/)(?:, self-signed certificate)?\)\.$/m.exec(
          stdout,
        ) ?? [];
      expect(http, stdout).toMatch(new RegExp(`^http://${NAME.replaceAll('.', '\\.')}:\\d+/$`));
      expect(https).toMatch(new RegExp(`^https://${NAME.replaceAll('.', '\\.')}:\\d+/$`));
      const [, listening] =
        /^ {2}report page listening on (http:\/\/127\.0\.0\.1:\d+\/) and https:/m.exec(stdout) ?? [];
      expect(new URL(listening!).port).toBe(new URL(http!).port);
      expect((await fetchRaw(listening!)).status).toBe(200);
      expect(stdout).toMatch(
        new RegExp(`^ {8}turns:${NAME.replaceAll('.', '\\.')}:\\d+\\?transport=tcp$`, 'm'),
      );
      expect(stdout).toMatch(/^ {2}TURN {2}turn:127\.0\.0\.1:\d+\?transport=udp$/m);
      await until(() => stderr().includes('does not name'));
      const warning = stderr()
        .split('\n')
        .filter((l) => l.includes('does not name'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(warning).toEqual([
        {
          ...warning[0],
          level: 40,
          msg: `--tls-cert does not name the --public-host '${NAME}' (its names: other.ice-doctor.test, 127.0.0.1): browsers will refuse https://${NAME}/ and turns:${NAME} with it`,
        },
      ]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
  });
});

/** Polls `ok` every 50 ms for up to 5 s (serve's pino destination is asynchronous). */
async function until(ok: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!ok() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
