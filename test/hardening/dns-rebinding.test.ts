/**
 * DNS rebinding against a published `serve` (a child process on loopback with its report page): a page on
 * `attacker.example` whose name the attacker rebinds to the server's address sends `Host:
 * attacker.example:<port>` (and, for a WebSocket, the matching Origin, which the Origin check alone
 * accepts). The server answers only Hosts that cannot be rebound — IP literals (its listen address, or an
 * address it is reached by through a NAT such as 198.51.100.7), localhost and the `--public-host` names — so
 * those requests get 421 on every route, `/api/ice-servers` and the `/signal` upgrade included, while the
 * same requests with a served name work.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, expect, it } from 'vitest';
import { stopServes } from '../support/serve-process.js';
import { fetchRaw } from '../support/web-report.js';
import { type Published, startPublished } from './server-process.js';
import { record } from './tally.js';

/** The name given with `--public-host`. */
const PUBLIC_HOST = 'ice-doctor.test';

afterEach(() => stopServes());

/** The report page's two listeners of a `serve` child with `--public-host` {@link PUBLIC_HOST}. */
function published(): Promise<Published> {
  return startPublished(['--public-host', PUBLIC_HOST]);
}

/**
 * A WebSocket upgrade of `/signal` at `listener` (RFC 6455 §4.1) with the given Host and Origin, as a
 * browser on that origin sends it: the status the server answered (101 when it upgraded).
 */
function upgrade(listener: URL, host: string, origin: string): Promise<number> {
  const request = listener.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(new URL('/signal', listener), {
      rejectUnauthorized: false,
      agent: false,
      headers: {
        Host: host,
        Origin: origin,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** The statuses of GET /api/ice-servers, GET / and the signaling upgrade on both listeners with Host `name`. */
async function statuses(l: Published, name: string): Promise<Record<string, number>> {
  const hostOn = (u: URL): string => `${name}:${u.port}`;
  return {
    'GET /api/ice-servers': (
      await fetchRaw(`${l.http.origin}/api/ice-servers`, { headers: { Host: hostOn(l.http) } })
    ).status,
    'GET /': (await fetchRaw(`${l.http.origin}/`, { headers: { Host: hostOn(l.http) } })).status,
    'GET https /api/ice-servers': (
      await fetchRaw(`${l.https.origin}/api/ice-servers`, { headers: { Host: hostOn(l.https) } })
    ).status,
    'ws /signal': await upgrade(l.http, hostOn(l.http), `http://${hostOn(l.http)}`),
    'wss /signal': await upgrade(l.https, hostOn(l.https), `https://${hostOn(l.https)}`),
  };
}

it('refuses a rebound name (Host and Origin attacker.example) with 421 on the API, the page and /signal', async ({
  task,
}) => {
  const l = await published();
  const got = await statuses(l, 'attacker.example');
  const wrong = Object.entries(got).filter(([, status]) => status !== 421);
  record(task, {
    area: 'rebinding',
    check: 'Host attacker.example: API, page, /signal',
    tried: Object.keys(got).length,
    failures: wrong.length,
    detail: Object.entries(got)
      .map(([what, status]) => `${what} ${status}`)
      .join(', '),
  });
  expect(got).toEqual(Object.fromEntries(Object.keys(got).map((k) => [k, 421])));
});

it('serves IP literals (its listen address, an external one), localhost and the --public-host name', async ({
  task,
}) => {
  const l = await published();
  const rows: [string, Record<string, number>][] = [];
  for (const name of [l.http.hostname, '198.51.100.7', 'localhost', PUBLIC_HOST, PUBLIC_HOST.toUpperCase()])
    rows.push([name, await statuses(l, name)]);
  const expected = {
    'GET /api/ice-servers': 200,
    'GET /': 200,
    'GET https /api/ice-servers': 200,
    'ws /signal': 101,
    'wss /signal': 101,
  };
  const wrong = rows.flatMap(([name, got]) =>
    Object.entries(got)
      .filter(([what, status]) => expected[what as keyof typeof expected] !== status)
      .map(([what, status]) => `${name}: ${what} ${status}`),
  );
  record(task, {
    area: 'rebinding',
    check: 'Host of a served name: API, page, /signal',
    tried: rows.length * Object.keys(expected).length,
    failures: wrong.length,
    detail: wrong.length ? wrong.slice(0, 3).join(', ') : `${rows.map(([n]) => n).join(', ')}: all answered`,
  });
  for (const [, got] of rows) expect(got).toEqual(expected);
});
