/**
 * `ice-doctor serve --tls-cert F --tls-key K` reloads its certificate on SIGHUP, as a child process from
 * the sources with real TLS connections: after the files are replaced and SIGHUP sent, new TURN/TLS and
 * HTTPS handshakes present the new certificate, while a TURN/TLS connection and a signaling WebSocket over
 * HTTPS opened before keep working; the reload is logged with the new expiry. Files that do not load (not
 * PEM; a key of another certificate) are logged at error level and the certificate in use stays.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { StunClass } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';
import { selfSignedCert } from '../support/self-signed.js';
import { startListening } from '../support/serve-process.js';
import { connectSignal } from '../support/web-report.js';
import { bindingRequest } from './stun-server-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'icd-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A TLS connection to 127.0.0.1:`port`, any certificate accepted (the test compares fingerprints). */
function tlsTo(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The SHA-256 fingerprint a new handshake on `port` presents. */
async function presented(port: number): Promise<string> {
  const socket = await tlsTo(port);
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

/** Sends a STUN Binding request over `socket` and resolves with the class of the answer. */
function bindingOver(socket: TLSSocket): Promise<number> {
  const request = bindingRequest();
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 20 || got.length < 20 + got.readUInt16BE(2)) return;
      socket.off('data', onData);
      resolve(decodeMessage(got.subarray(0, 20 + got.readUInt16BE(2))).cls);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request.bytes);
  });
}

/** Polls `ok` every 50 ms for up to 5 s (serve's pino destination is asynchronous). */
async function until(ok: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!ok() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const fingerprintOf = (certFile: string): string =>
  new X509Certificate(readFileSync(certFile)).fingerprint256;

describe('serve: SIGHUP reloads --tls-cert/--tls-key', () => {
  it('new handshakes get the new certificate, open connections keep working, bad files keep the old one', async () => {
    const a = selfSignedCert('a.ice-doctor.test', 'IP:127.0.0.1');
    const b = selfSignedCert('b.ice-doctor.test', 'IP:127.0.0.1');
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    copyFileSync(a.certFile, certFile);
    copyFileSync(a.keyFile, keyFile);
    const serve = await startListening(
      ['--listen', '127.0.0.1', '--port', '0', '--json', '--tls-cert', certFile, '--tls-key', keyFile],
      { source: true },
    );
    try {
      const turnsPort = serve.line.turn.tls[0]!.port;
      const https = new URL(serve.line.report!.httpsUrl!);
      expect(await presented(turnsPort)).toBe(fingerprintOf(a.certFile));
      expect(await presented(Number(https.port))).toBe(fingerprintOf(a.certFile));
      const oldTurn = await tlsTo(turnsPort);
      const oldSignal = await connectSignal(`wss://127.0.0.1:${https.port}/signal`);

      copyFileSync(b.certFile, certFile);
      copyFileSync(b.keyFile, keyFile);
      process.kill(serve.pid, 'SIGHUP');
      const reloaded = (await serve.logged('TLS certificate reloaded'))
        .split('\n')
        .find((l) => l.includes('TLS certificate reloaded'));
      const notAfter = new Date(new X509Certificate(readFileSync(b.certFile)).validTo).toISOString();
      expect(JSON.parse(reloaded!)).toMatchObject({
        level: 30,
        notAfter,
        fingerprint256: fingerprintOf(b.certFile),
        msg: `TLS certificate reloaded, expires ${notAfter}`,
      });
      expect(await presented(turnsPort)).toBe(fingerprintOf(b.certFile));
      expect(await presented(Number(https.port))).toBe(fingerprintOf(b.certFile));
      // Opened before the reload: still answered, over the certificate they were opened with.
      expect(oldTurn.getPeerCertificate().fingerprint256).toBe(fingerprintOf(a.certFile));
      expect(await bindingOver(oldTurn)).toBe(StunClass.successResponse);
      const pong = new Promise((resolve) => oldSignal.ws.once('pong', resolve));
      oldSignal.ws.ping();
      await pong;
      oldTurn.destroy();
      oldSignal.ws.close();

      const cases: [string, () => void, RegExp][] = [
        ['not PEM', () => writeFileSync(certFile, 'renewal in progress\n'), /is not a PEM certificate/],
        [
          'the key of another certificate',
          () => {
            copyFileSync(a.certFile, certFile);
            copyFileSync(b.keyFile, keyFile);
          },
          /is not the key of the certificate/,
        ],
      ];
      for (const [what, write, reason] of cases) {
        const before = serve.stderr().length;
        write();
        process.kill(serve.pid, 'SIGHUP');
        await until(() => serve.stderr().slice(before).includes('not reloaded'));
        const logged = serve
          .stderr()
          .slice(before)
          .split('\n')
          .filter((l) => l.includes('not reloaded'));
        expect(logged, what).toHaveLength(1);
        expect(JSON.parse(logged[0]!), what).toMatchObject({ level: 50, msg: expect.stringMatching(reason) });
        expect(await presented(turnsPort), what).toBe(fingerprintOf(b.certFile));
        expect(await presented(Number(https.port)), what).toBe(fingerprintOf(b.certFile));
        expect(serve.alive()).toBe(true);
      }
    } finally {
      expect((await serve.stop()).code).toBe(0);
    }
  });
});
