/**
 * The report server's HTTP side on real sockets (127.0.0.1 only), in front of a real bundled STUN/TURN
 * server: helmet headers and the strict CSP, the built page without inline script, every API response
 * against api-schema.ts, TURN credentials minted per request that allocate on the bundled server over UDP,
 * TCP and TLS (and get 401 once expired), no static password in any response, the rate limit, the
 * server's own probe.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/client/nat-probe/run-probe.js';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { TurnSession } from '../../src/client/turn-check/session.js';
import { parseTurnUrl } from '../../src/client/url/turn-url.js';
import {
  type IceServer,
  iceConfigSchema,
  pageConfigSchema,
  serverProbeSchema,
} from '../../src/web/api-schema.js';
import { createReportApp } from '../../src/web/server/app.js';
import { DEFAULT_PUBLIC_DIR, startReportServer } from '../../src/web/server/report-server.js';
import { formatAddress } from '../../src/wire/address.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getAddress, getErrorCode } from '../../src/wire/message.js';
import { type BundledPair, fetchRaw, startBundledPair } from '../support/web-report.js';

const STATIC_PASSWORD = 'static-Password-7f3a9c';
/** REQUESTED-TRANSPORT UDP (RFC 8656 §18.6), as a uint32. */
const UDP_TRANSPORT = 17 << 24;

let pair: BundledPair;
let http: string;
let https: string;

beforeAll(async () => {
  pair = await startBundledPair({ user: [`alice:${STATIC_PASSWORD}`] }, (turn) => ({
    probe: () =>
      runProbe({
        urls: [`stun:${formatAddress(turn.fronts[0]!.primary)}`],
        timeoutMs: 5000,
        hairpin: true,
      }),
  }));
  http = pair.report.urls.http!;
  https = pair.report.urls.https!;
});
afterAll(() => pair?.close());

/** The directives of a CSP header, by name. */
function csp(header: string | string[] | undefined): Map<string, string> {
  expect(typeof header).toBe('string');
  return new Map(
    (header as string).split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

/** Allocate over the TURN URL of `server` with its credentials; the relayed port or the error code. */
async function allocate(server: IceServer): Promise<number | string> {
  const url = parseTurnUrl(server.urls);
  const transport = url.scheme === 'turns' ? 'tls' : url.transports[0]!;
  const session = await TurnSession.open({
    transport,
    to: { address: url.host, port: url.port, family: 'IPv4' },
    insecure: true,
    connectTimeoutMs: 2000,
    signal: AbortSignal.timeout(10_000),
    credentials: { username: server.username!, password: server.credential! },
    rtt: new RttEstimator(),
  });
  try {
    const r = await session.request(StunMethod.allocate, [
      { type: Attr.REQUESTED_TRANSPORT, uint32: UDP_TRANSPORT },
    ]);
    if (r.response?.cls === StunClass.successResponse)
      return getAddress(r.response, Attr.XOR_RELAYED_ADDRESS)?.port ?? 'no XOR-RELAYED-ADDRESS';
    return r.response ? String(getErrorCode(r.response)?.code) : `failure: ${r.failure?.message}`;
  } finally {
    session.close();
  }
}

describe('report server: headers', () => {
  it.each(['http', 'https'] as const)(
    'sends the strict CSP and helmet headers over %s, on the page and the API',
    async (scheme) => {
      const base = scheme === 'http' ? http : https;
      for (const path of ['', 'api/config', 'api/nope', 'style.css']) {
        const res = await fetchRaw(`${base}${path}`);
        const d = csp(res.headers['content-security-policy']);
        expect([...d.keys()].sort()).toEqual(
          [
            'base-uri',
            'connect-src',
            'default-src',
            'form-action',
            'frame-ancestors',
            'img-src',
            'object-src',
            'script-src',
            'style-src',
          ].sort(),
        );
        expect(d.get('default-src')).toBe("'self'");
        expect(d.get('script-src')).toBe("'self'");
        expect(d.get('style-src')).toBe("'self'");
        expect(d.get('img-src')).toBe("'self' data: blob:");
        expect(d.get('connect-src')).toBe(
          `'self' ws://127.0.0.1:${pair.report.http!.port} wss://127.0.0.1:${pair.report.https!.port}`,
        );
        expect(d.get('object-src')).toBe("'none'");
        expect(d.get('base-uri')).toBe("'none'");
        expect(d.get('frame-ancestors')).toBe("'none'");
        expect(d.get('form-action')).toBe("'none'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['x-powered-by']).toBeUndefined();
        // A self-signed diagnostics server must not pin browsers to HTTPS.
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
    },
  );

  it('names the ws/wss origins for the Host the browser used, and ignores a Host that is not host[:port]', async () => {
    const named = await fetchRaw(`${http}api/config`, {
      headers: { Host: `localhost:${pair.report.http!.port}` },
    });
    expect(csp(named.headers['content-security-policy']).get('connect-src')).toBe(
      `'self' ws://localhost:${pair.report.http!.port} wss://localhost:${pair.report.https!.port}`,
    );
    const forged = await fetchRaw(`${http}api/config`, {
      headers: { Host: "evil.example;script-src 'unsafe-inline'" },
    });
    const d = csp(forged.headers['content-security-policy']);
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('script-src')).toBe("'self'");
    expect(forged.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});

describe('report server: the page', () => {
  it('serves the built page (npm run build) as text/html with no inline script, over HTTP and HTTPS', async () => {
    for (const base of [http, https]) {
      const res = await fetchRaw(base);
      expect(res.status, 'dist/web/public/index.html is missing: npm run build').toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(readFileSync(new URL('index.html', DEFAULT_PUBLIC_DIR), 'utf8'));
      const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, content] of scripts) {
        expect(attributes).toMatch(/\bsrc=/);
        expect(content!.trim()).toBe('');
      }
      expect(res.body).not.toMatch(/\son[a-z]+\s*=/i);
      expect(res.body).not.toMatch(/javascript:/i);
      expect(res.body).not.toMatch(/<style\b|\sstyle\s*=/i);
      const app = await fetchRaw(`${base}app.js`);
      expect(app.status).toBe(200);
      expect(app.headers['content-type']).toMatch(/javascript/);
    }
  });

  it('answers unknown page paths 404 in plain text and unknown API paths 404 in JSON, never a stack', async () => {
    const page = await fetchRaw(`${http}nope.html`);
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/plain/);
    for (const [method, path] of [
      ['GET', 'api/nope'],
      ['POST', 'api/config'],
      ['DELETE', 'api/ice-servers'],
    ] as const) {
      const res = await fetchRaw(`${http}${path}`, { method });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(JSON.parse(res.body) as object).sort()).toEqual(['error', 'message']);
    }
  });
});

describe('report server: API', () => {
  it('GET /api/config: the visitor as the socket saw it, the signaling path and both ports', async () => {
    for (const base of [http, https]) {
      const res = await fetchRaw(`${base}api/config`, { headers: { 'X-Forwarded-For': '198.51.100.9' } });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const config = pageConfigSchema.parse(JSON.parse(res.body));
      expect(config.visitor).toEqual({ address: '127.0.0.1', port: res.localPort, family: 'IPv4' });
      expect(config.signaling).toEqual({
        path: '/signal',
        httpPort: pair.report.http!.port,
        httpsPort: pair.report.https!.port,
      });
      expect(config.version).toBe('0.1.0');
      expect(config.publicHost).toBeNull();
    }
  });

  it('GET /api/config on a dual-stack listener: an IPv4 visitor without the ::ffff: prefix; an IPv6 one as is', async () => {
    const dual = await startReportServer({ host: '::', httpsPort: null });
    try {
      const port = dual.http!.port;
      expect(dual.urls.http).toBe(`http://[::1]:${port}/`);
      const v4 = await fetchRaw(`http://127.0.0.1:${port}/api/config`);
      expect(pageConfigSchema.parse(JSON.parse(v4.body)).visitor).toEqual({
        address: '127.0.0.1',
        port: v4.localPort,
        family: 'IPv4',
      });
      const v6 = await fetchRaw(`http://[::1]:${port}/api/config`);
      expect(pageConfigSchema.parse(JSON.parse(v6.body)).visitor).toEqual({
        address: '::1',
        port: v6.localPort,
        family: 'IPv6',
      });
    } finally {
      await dual.close();
    }
  });

  it('GET /api/ice-servers: the bundled path matrix (STUN on both RFC 5780 IPs, TURN over UDP, TCP, TLS)', async () => {
    const res = await fetchRaw(`${http}api/ice-servers`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const config = iceConfigSchema.parse(JSON.parse(res.body));
    const front = pair.turn.fronts[0]!;
    expect(config.targets.map((t) => [t.id, t.kind, t.server, t.iceServer.urls])).toEqual([
      ['stun-1', 'stun', 'bundled', `stun:${formatAddress(front.primary)}`],
      ['stun-2', 'stun', 'bundled', `stun:${formatAddress(front.otherAddress!)}`],
      ['turn-udp-1', 'turn-udp', 'bundled', `turn:${formatAddress(pair.turn.turnUdp[0]!)}?transport=udp`],
      ['turn-tcp-1', 'turn-tcp', 'bundled', `turn:${formatAddress(pair.turn.turnTcp[0]!)}?transport=tcp`],
      ['turns-1', 'turns', 'bundled', `turns:${formatAddress(pair.turn.turnTls[0]!)}?transport=tcp`],
    ]);
    expect(front.otherAddress!.address).toBe('127.0.0.2');
    expect(config.iceServers).toEqual(config.targets.map((t) => t.iceServer));
    for (const t of config.targets.filter((t) => t.kind === 'stun')) {
      expect(t.iceServer.username).toBeUndefined();
      expect(t.relayPorts).toBeUndefined();
    }
    // Every TURN target carries the relay port range the server allocates from, for the page's firewall advice.
    for (const t of config.targets.filter((t) => t.kind !== 'stun'))
      expect(t.relayPorts).toEqual(pair.turn.relay[0]!.ports);
  });

  it('mints TURN REST credentials per request, with the TTL, that allocate on the bundled server over UDP, TCP and TLS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [a, b] = await Promise.all(
      [1, 2].map(async () =>
        iceConfigSchema.parse(JSON.parse((await fetchRaw(`${https}api/ice-servers`)).body)),
      ),
    );
    const after = Math.floor(Date.now() / 1000);
    const turnA = a!.targets.filter((t) => t.kind !== 'stun');
    const turnB = b!.targets.filter((t) => t.kind !== 'stun');
    expect(turnA.map((t) => t.kind)).toEqual(['turn-udp', 'turn-tcp', 'turns']);
    expect(turnA[0]!.iceServer.username).not.toBe(turnB[0]!.iceServer.username);
    expect(turnA[0]!.iceServer.credential).not.toBe(turnB[0]!.iceServer.credential);
    for (const c of [a!, b!]) {
      expect(c.credentialTtlS).toBe(600);
      const expiry = Date.parse(c.expiresAt!) / 1000;
      expect(expiry).toBeGreaterThanOrEqual(before + 600);
      expect(expiry).toBeLessThanOrEqual(after + 600);
      const [user] = new Set(c.targets.filter((t) => t.kind !== 'stun').map((t) => t.iceServer.username));
      expect(user).toMatch(new RegExp(`^${expiry}:page-[A-Za-z0-9_-]{8}$`));
    }
    for (const t of turnA) expect(await allocate(t.iceServer), t.iceServer.urls).toEqual(expect.any(Number));
  });

  it('credentials that have expired get 401 from the bundled server', async () => {
    const shortLived = await startReportServer({
      httpsPort: null,
      credentialTtlS: 1,
      iceServers: [
        {
          label: 'bundled',
          urls: [{ kind: 'turn-udp', url: `turn:${formatAddress(pair.turn.turnUdp[0]!)}?transport=udp` }],
          credentials: { kind: 'rest', secret: pair.secret },
        },
      ],
    });
    try {
      const config = iceConfigSchema.parse(
        JSON.parse((await fetchRaw(`${shortLived.urls.http}api/ice-servers`)).body),
      );
      expect(config.credentialTtlS).toBe(1);
      const waitMs = Date.parse(config.expiresAt!) - Date.now() + 1100;
      await new Promise((r) => setTimeout(r, waitMs));
      expect(await allocate(config.targets[0]!.iceServer)).toBe('401');
    } finally {
      await shortLived.close();
    }
  });

  it('never sends the static --user password or the REST secret in any API response', async () => {
    const bodies = await Promise.all(
      ['api/ice-servers', 'api/config', 'api/probe', 'api/nope'].map(
        async (p) => (await fetchRaw(`${http}${p}`)).body,
      ),
    );
    for (const body of bodies) {
      expect(body).not.toContain(STATIC_PASSWORD);
      expect(body).not.toContain('alice');
      expect(body).not.toContain(pair.secret);
    }
  });

  it("GET /api/probe: null with a reason while running, then the server's RFC 5780 probe of the bundled STUN server", async () => {
    let probe = serverProbeSchema.parse(JSON.parse((await fetchRaw(`${http}api/probe`)).body));
    const deadline = Date.now() + 10_000;
    while (probe.report === null && Date.now() < deadline) {
      expect(probe.reason).toMatch(/running/);
      await new Promise((r) => setTimeout(r, 100));
      probe = serverProbeSchema.parse(JSON.parse((await fetchRaw(`${http}api/probe`)).body));
    }
    expect(probe.reason).toBeNull();
    expect(probe.report!.servers).toEqual([`stun:${formatAddress(pair.turn.fronts[0]!.primary)}`]);
    expect(probe.report!.mapping).toBe('endpoint-independent');
    expect(probe.report!.serverHonoursChangeRequest).toBe(true);
  });

  it('GET /api/probe without a probe, and with a failed one: report null and the reason', async () => {
    const failing = await startReportServer({
      httpsPort: null,
      probe: () => Promise.reject(new Error('no socket')),
    });
    const none = await startReportServer({ httpsPort: null });
    try {
      await new Promise((r) => setTimeout(r, 20));
      const f = serverProbeSchema.parse(JSON.parse((await fetchRaw(`${failing.urls.http}api/probe`)).body));
      expect(f).toEqual({ report: null, reason: "the server's own probe failed: no socket" });
      const n = serverProbeSchema.parse(JSON.parse((await fetchRaw(`${none.urls.http}api/probe`)).body));
      expect(n.report).toBeNull();
      expect(n.reason).toMatch(/no STUN server/);
    } finally {
      await Promise.all([failing.close(), none.close()]);
    }
  });

  it('rate-limits /api/ice-servers per client IP: 429 in JSON after the limit, other endpoints unaffected', async () => {
    const limited = await startReportServer({
      httpsPort: null,
      iceRateLimit: { limit: 3, windowMs: 60_000 },
    });
    try {
      const url = `${limited.urls.http}api/ice-servers`;
      for (let i = 0; i < 3; i++) expect((await fetchRaw(url)).status).toBe(200);
      const refused = await fetchRaw(url);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(refused.body)).toEqual({
        error: 'rate-limited',
        message: expect.stringMatching(/3 requests in 60 s/),
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await fetchRaw(`${limited.urls.http}api/config`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('close() is idempotent and frees both ports', async () => {
    const r = await startReportServer();
    await Promise.all([r.close(), r.close()]);
    await r.close();
    await expect(fetchRaw(r.urls.http!)).rejects.toThrow(/ECONNREFUSED/);
    await expect(fetchRaw(r.urls.https!)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('report server: errors', () => {
  it('answers an error thrown in a handler as 500 JSON {error, message} without its message or stack', async () => {
    const app = createReportApp({
      publicDir: fileURLToPath(DEFAULT_PUBLIC_DIR),
      iceConfig: () => {
        throw new Error('secret detail');
      },
      iceRateLimit: (_req, _res, next) => next(),
      outsidePeer: () => null,
      outsidePeerRateLimit: (_req, _res, next) => next(),
      serverProbe: () => ({ report: null, reason: 'none' }),
      ports: () => ({ http: null, https: null }),
      hostAllowed: () => true,
      version: 'test',
      publicHost: null,
      log: pino({ level: 'silent' }),
    });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetchRaw(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ice-servers`,
      );
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({ error: 'internal', message: expect.any(String) });
      expect(res.body).not.toContain('secret detail');
      expect(res.body).not.toMatch(/\.(js|ts):\d+/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('report server: the public dir', () => {
  it('says the page is not built (503) when the folder has no index.html', async () => {
    const r = await startReportServer({
      httpsPort: null,
      publicDir: fileURLToPath(new URL('./', import.meta.url)),
    });
    try {
      const res = await fetchRaw(r.urls.http!);
      expect(res.status).toBe(503);
      expect(res.body).toMatch(/npm run build/);
    } finally {
      await r.close();
    }
  });
});
