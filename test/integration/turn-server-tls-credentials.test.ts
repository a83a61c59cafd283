/**
 * Integration tests of the `turns:` listener credentials (src/server/stun/tls-credentials.ts):
 * generated self-signed credentials serve a real TLS handshake on 127.0.0.1 that a client trusting the
 * certificate accepts for a listed name and refuses (ERR_TLS_CERT_ALTNAME_INVALID) for another;
 * credentials written to a temp dir load back the same; bad files give a SettingsError naming the flag.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/errors.js';
import {
  generateSelfSignedCredentials,
  loadTlsCredentials,
  type TlsCredentials,
} from '../../src/server/stun/tls-credentials.js';

let dir: string;
let creds: TlsCredentials;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ice-doctor-tls-'));
  creds = await generateSelfSignedCredentials(['localhost', '127.0.0.1', '::1', 'turn.example.org']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Listens with `credentials` on 127.0.0.1; each accepted connection gets one line and is closed. */
async function listen(credentials: TlsCredentials): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: credentials.cert, key: credentials.key }, (socket) =>
    socket.end('hello\n'),
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

/** Connects trusting only `ca`; resolves with what the server sent, rejects with the TLS error. */
function handshake(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('generateSelfSignedCredentials', () => {
  it('describes what it made', () => {
    const x509 = new X509Certificate(creds.cert);
    expect(creds.selfSigned).toBe(true);
    expect(creds.cert).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/,
    );
    expect(creds.key).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----\n$/,
    );
    expect(creds.names).toEqual(['localhost', '127.0.0.1', '::1', 'turn.example.org']);
    expect(x509.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:turn.example.org',
    );
    expect(creds.fingerprint256).toBe(x509.fingerprint256);
    expect(creds.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const days = (creds.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(new Date(x509.validFrom).getTime()).toBeLessThan(Date.now() - 59 * 60_000);
    expect(createPrivateKey(creds.key).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.checkPrivateKey(createPrivateKey(creds.key))).toBe(true);
  });

  it('serves a TLS handshake that checks the server name', async () => {
    const { server, port } = await listen(creds);
    try {
      expect(await handshake(port, creds.cert, 'localhost')).toBe('hello\n');
      expect(await handshake(port, creds.cert, 'turn.example.org')).toBe('hello\n');
      expect(await handshake(port, creds.cert)).toBe('hello\n');
      await expect(handshake(port, creds.cert, 'other.example.org')).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      const stranger = await generateSelfSignedCredentials(['localhost']);
      await expect(handshake(port, stranger.cert, 'localhost')).rejects.toMatchObject({
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('takes the validity in days', async () => {
    const short = await generateSelfSignedCredentials(['127.0.0.1'], 1);
    expect(short.names).toEqual(['127.0.0.1']);
    expect((short.notAfter.getTime() - Date.now()) / 86_400_000).toBeCloseTo(1, 1);
  });

  it.each([
    [[], /at least one name/],
    [
      ['localhost', 'not a name'],
      /^names: cannot make a certificate for 'not a name': not a host name or IP address$/,
    ],
    [['fe80::1%eth0'], /'fe80::1%eth0'/],
    [['-bad.example'], /'-bad\.example'/],
  ])('refuses the names %j with a SettingsError', async (names, message) => {
    const attempt = generateSelfSignedCredentials(names);
    await expect(attempt).rejects.toThrow(SettingsError);
    await expect(attempt).rejects.toThrow(message);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses validDays %s', async (days) => {
    await expect(generateSelfSignedCredentials(['localhost'], days)).rejects.toThrow(RangeError);
  });
});

describe('loadTlsCredentials', () => {
  it('loads PEM files back as they were generated', () => {
    const loaded = loadTlsCredentials(file('cert.pem', creds.cert), file('key.pem', creds.key));
    expect(loaded).toEqual(creds);
  });

  it('describes a certificate signed by a CA and one without subject alternative names', async () => {
    const ca = await generate([{ name: 'commonName', value: 'Test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'basicConstraints', cA: true }],
    });
    const leaf = await generate([{ name: 'commonName', value: 'leaf.example' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'basicConstraints', cA: false }],
    });
    const chain = `${leaf.cert}\n${ca.cert}\n`;
    const loaded = loadTlsCredentials(file('chain.pem', chain), file('leaf-key.pem', leaf.private));
    expect(loaded.selfSigned).toBe(false);
    expect(loaded.names).toEqual(['leaf.example']);
    expect(loaded.cert).toBe(chain);
    expect(loaded.fingerprint256).toBe(new X509Certificate(leaf.cert).fingerprint256);
  });

  it('names --tls-key when the key belongs to another certificate', async () => {
    const other = await generateSelfSignedCredentials(['localhost']);
    const certFile = file('mine.pem', creds.cert);
    const keyFile = file('other-key.pem', other.key);
    expect(() => loadTlsCredentials(certFile, keyFile)).toThrow(
      new SettingsError('tlsKeyFile', `'${keyFile}' is not the key of the certificate in '${certFile}'`),
    );
  });

  it.each([
    [
      'garbage certificate',
      'garbage',
      'key',
      /^tlsCertFile: '.*garbage certificate' is not a PEM certificate$/,
    ],
    ['key as certificate', 'key', 'key', /^tlsCertFile: '.*key as certificate' is not a PEM certificate$/],
    ['garbage key', 'cert', 'garbage', /^tlsKeyFile: '.*garbage key' is not a PEM private key$/],
    ['certificate as key', 'cert', 'cert', /^tlsKeyFile: '.*certificate as key' is not a PEM private key$/],
    ['encrypted key', 'cert', 'encrypted', /^tlsKeyFile: '.*encrypted key' is encrypted; give the key/],
    ['broken chain', 'broken-chain', 'key', /^tlsCertFile: '.*broken chain' cannot be used for TLS \(.*\)$/],
  ])('refuses a %s with a SettingsError', (name, certKind, keyKind, message) => {
    const texts: Record<string, string> = {
      cert: creds.cert,
      key: creds.key,
      garbage: 'not\na pem\n',
      encrypted: createPrivateKey(creds.key).export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }) as string,
      'broken-chain': `${creds.cert}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
    };
    const certFile = file(certKind === 'cert' ? 'c.pem' : name, texts[certKind]!);
    const keyFile = file(keyKind === 'key' ? 'k.pem' : name, texts[keyKind]!);
    expect(() => loadTlsCredentials(certFile, keyFile)).toThrow(SettingsError);
    expect(() => loadTlsCredentials(certFile, keyFile)).toThrow(message);
  });

  it('names the flag of a file it cannot read', () => {
    const keyFile = file('k.pem', creds.key);
    expect(() => loadTlsCredentials(join(dir, 'missing.pem'), keyFile)).toThrow(
      /^tlsCertFile: cannot read '.*missing\.pem' \(ENOENT\)$/,
    );
    expect(() => loadTlsCredentials(file('c.pem', creds.cert), dir)).toThrow(
      /^tlsKeyFile: cannot read '.*' \(EISDIR\)$/,
    );
  });
});
