/**
 * TLS settings of the report page's HTTPS listener (8443 under `serve`; here a picked port of a `serve`
 * child on loopback), as `openssl s_client` sees them: TLS 1.2 with only CBC-SHA1 suites
 * (ECDHE-ECDSA-AES128-SHA for the self-signed ECDSA certificate, ECDHE-RSA-AES128-SHA for an RSA one;
 * outside Mozilla's "intermediate" list) is refused, TLS 1.2 and TLS 1.3 with the
 * defaults work (an AEAD suite), and a client's renegotiation request (RFC 5746; `R` in s_client) is refused
 * (SSL_OP_NO_RENEGOTIATION, RFC 9325 §3.5).
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { stopServes } from '../support/serve-process.js';
import { startPublished } from './server-process.js';
import { record } from './tally.js';

/** TLS 1.2 CBC suites with a SHA-1 MAC, for an ECDSA and an RSA certificate. */
const CBC_SHA1 = 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA';

afterEach(() => stopServes());

/** What one `openssl s_client` run printed, and its exit code. */
interface SClient {
  code: number | null;
  out: string;
}

/**
 * Runs `openssl s_client -connect 127.0.0.1:<port> <args>`, writes `input` (then holds stdin open 1 s so
 * s_client acts on it), and resolves when it exits (killed after 10 s).
 */
function sClient(port: number, args: string[], input = ''): Promise<SClient> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.stdin.write(input);
  setTimeout(() => child.stdin.end(), 1_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    }),
  );
}

/** The negotiated suite s_client printed (`Cipher is X`), or null when there was none. */
function cipherOf(r: SClient): string | null {
  const m = /Cipher is (\S+)/.exec(r.out);
  return m && m[1] !== '(NONE)' ? m[1]! : null;
}

it('HTTPS: refuses TLS 1.2 CBC-SHA1 suites and renegotiation, offers AEAD suites', async ({ task }) => {
  const { port } = (await startPublished()).httpsAddress;
  const cbc = await sClient(port, ['-tls1_2', '-cipher', CBC_SHA1]);
  const tls12 = await sClient(port, ['-tls1_2']);
  const tls13 = await sClient(port, ['-tls1_3']);
  const reneg = await sClient(port, ['-tls1_2'], 'R\n');
  const renegotiated =
    /RENEGOTIATING[\s\S]*verify return/.test(reneg.out) && !/no renegotiation/i.test(reneg.out);
  const outcomes = {
    'CBC-SHA1 refused': cipherOf(cbc) === null,
    'TLS 1.2 AEAD': /GCM|CHACHA20/.test(cipherOf(tls12) ?? ''),
    'TLS 1.3': (cipherOf(tls13) ?? '').startsWith('TLS_'),
    'renegotiation refused': !renegotiated,
  };
  record(task, {
    area: 'tls',
    check: 'HTTPS: ciphers and renegotiation',
    tried: Object.keys(outcomes).length,
    failures: Object.values(outcomes).filter((ok) => !ok).length,
    detail: `CBC-SHA1 only → ${cipherOf(cbc) ?? 'refused'}; TLS 1.2 → ${cipherOf(tls12)}; TLS 1.3 → ${cipherOf(tls13)}; renegotiation ${renegotiated ? 'accepted' : 'refused'}`,
  });
  expect(outcomes).toEqual({
    'CBC-SHA1 refused': true,
    'TLS 1.2 AEAD': true,
    'TLS 1.3': true,
    'renegotiation refused': true,
  });
});
