/**
 * The report page's bundle as the report server sends it (real sockets on 127.0.0.1, the page `npm run
 * build` made): no source map, in the folder or over HTTP (`GET /app.js.map` is 404); the text files
 * compressed at build time and sent with `Content-Encoding: br` or `gzip` as Accept-Encoding allows
 * (RFC 9110 §12.5.3), identical to the file once decoded, `Vary: Accept-Encoding` on every variant, over
 * HTTP and HTTPS; a client that accepts neither gets the file as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PUBLIC_DIR,
  type RunningReportServer,
  startReportServer,
} from '../../src/web/server/report-server.js';

let report: RunningReportServer;

beforeAll(async () => {
  report = await startReportServer();
});
afterAll(() => report?.close());

/** A response read whole as bytes. */
interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** `method` `path` at `base` with `Accept-Encoding: encodings` (none when undefined). */
function get(base: string, path: string, encodings?: string, method = 'GET'): Promise<Got> {
  const url = new URL(path, base);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        rejectUnauthorized: false,
        headers: encodings === undefined ? {} : { 'Accept-Encoding': encodings },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A built file of the page. */
function built(name: string): Buffer {
  return readFileSync(new URL(name, DEFAULT_PUBLIC_DIR));
}

describe('report page bundle', () => {
  it('has no source map: none in the built folder, 404 for GET /app.js.map', async () => {
    expect(existsSync(new URL('app.js.map', DEFAULT_PUBLIC_DIR))).toBe(false);
    expect(built('app.js').toString()).not.toContain('sourceMappingURL');
    for (const encodings of [undefined, 'gzip, deflate, br']) {
      const res = await get(report.urls.http!, '/app.js.map', encodings);
      expect(res.status).toBe(404);
      expect(res.body.length).toBeLessThan(200);
    }
  });

  it.each(['http', 'https'] as const)(
    'sends app.js, index.html and style.css compressed as Accept-Encoding allows, over %s',
    async (scheme) => {
      const base = scheme === 'http' ? report.urls.http! : report.urls.https!;
      const cases = [
        ['/app.js', 'app.js', /^text\/javascript|^application\/javascript/],
        ['/', 'index.html', /^text\/html/],
        ['/style.css', 'style.css', /^text\/css/],
      ] as const;
      for (const [path, file, type] of cases) {
        const identity = built(file);
        const br = await get(base, path, 'gzip, deflate, br, zstd');
        expect(br.status).toBe(200);
        expect(br.headers['content-encoding']).toBe('br');
        expect(br.headers['content-type']).toMatch(type);
        expect(br.headers.vary).toMatch(/Accept-Encoding/i);
        expect(br.headers['content-security-policy']).toContain("script-src 'self'");
        expect(brotliDecompressSync(br.body).equals(identity)).toBe(true);
        const gzip = await get(base, path, 'br;q=0, gzip');
        expect(gzip.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(gzip.body).equals(identity)).toBe(true);
        for (const encodings of [undefined, 'identity', 'deflate']) {
          const plain = await get(base, path, encodings);
          expect(plain.status).toBe(200);
          expect(plain.headers['content-encoding']).toBeUndefined();
          expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
          expect(plain.body.equals(identity)).toBe(true);
        }
      }
      const js = built('app.js').length;
      const sent = await get(base, '/app.js', 'br', 'HEAD');
      expect(Number(sent.headers['content-length'])).toBeLessThan(js / 3);
    },
  );
});
