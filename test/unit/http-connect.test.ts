import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openHttpTunnel, ProxyConnectError } from '../../src/client/transport/http-connect.js';
import { type ProxyRoute, parseProxyUrl } from '../../src/client/transport/proxy-config.js';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { streamExchange } from '../../src/client/transport/stream-client.js';
import { LinkConnectError, openStreamSocket } from '../../src/client/transport/stream-connect.js';
import { transportAddress } from '../../src/wire/address.js';

// The CONNECT client (RFC 9110 §9.3.6) against tiny proxies on loopback that answer as scripted: what it
// sends, and what it makes of 200, 403, 407, a close, bytes that are not HTTP, silence.

const servers: Server[] = [];
const accepted: Socket[] = [];
afterEach(async () => {
  for (const s of accepted.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A loopback TCP server running `onSocket` per connection; its port. */
async function listen(onSocket: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => {
    accepted.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A proxy that reads the request head, records it, and runs `answer` on the socket. */
async function scriptedProxy(
  answer: (s: Socket, head: string) => void,
): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const port = await listen((s) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      heads.push(buf.slice(0, end));
      answer(s, buf.slice(0, end));
    };
    s.on('data', onData);
  });
  return { port, heads };
}

const tunnel = (proxyPort: number, port = 3478, proxyText = `http://127.0.0.1:${proxyPort}`) =>
  openHttpTunnel(parseProxyUrl(proxyText), {
    to: transportAddress('203.0.113.10', port),
    timeoutMs: 1500,
    signal: new AbortController().signal,
  });

async function failure(p: Promise<unknown>): Promise<ProxyConnectError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProxyConnectError);
  return err as ProxyConnectError;
}

describe('openHttpTunnel', () => {
  it('sends CONNECT host:port with Host, and on 200 hands back the socket (paused) with the bytes after the head', async () => {
    const proxy = await scriptedProxy((s) => {
      s.write('HTTP/1.1 200 Connection established\r\nX-A: b\r\n\r\nhello');
      s.on('data', (d) => s.write(d));
    });
    const socket = await tunnel(proxy.port);
    expect(proxy.heads).toEqual(['CONNECT 203.0.113.10:3478 HTTP/1.1\r\nHost: 203.0.113.10:3478']);
    socket.write('ping');
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
    });
    socket.resume();
    await expect.poll(() => got).toBe('helloping');
    socket.destroy();
  });

  it('sends Basic Proxy-Authorization from the URL’s user:password (percent-decoded), brackets an IPv6 target', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.0 200 OK\r\n\r\n'));
    const socket = await openHttpTunnel(parseProxyUrl(`http://al%40ice:p%3Ass@127.0.0.1:${proxy.port}`), {
      to: transportAddress('2001:db8::1', 443),
      timeoutMs: 1500,
      signal: new AbortController().signal,
    });
    socket.destroy();
    const basic = Buffer.from('al@ice:p:ss').toString('base64');
    expect(proxy.heads).toEqual([
      `CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\nProxy-Authorization: Basic ${basic}`,
    ]);
  });

  it('CONNECTs to the URL’s host NAME when it has one (the proxy resolves it), the IP literal otherwise', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 200 OK\r\n\r\n'));
    const open = (host: string | undefined) =>
      openHttpTunnel(parseProxyUrl(`http://127.0.0.1:${proxy.port}`), {
        to: transportAddress('203.0.113.10', 443),
        host,
        timeoutMs: 1500,
        signal: new AbortController().signal,
      }).then((s) => s.destroy());
    await open('turn.example.org');
    await open('203.0.113.10');
    await open(undefined);
    expect(proxy.heads).toEqual([
      'CONNECT turn.example.org:443 HTTP/1.1\r\nHost: turn.example.org:443',
      'CONNECT 203.0.113.10:443 HTTP/1.1\r\nHost: 203.0.113.10:443',
      'CONNECT 203.0.113.10:443 HTTP/1.1\r\nHost: 203.0.113.10:443',
    ]);
  });

  it('openStreamSocket and streamExchange CONNECT by the server name too', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    const route = routeVia(proxy.port);
    const common = {
      to: transportAddress('203.0.113.10', 443),
      proxy: route,
      serverName: 'turn.example.org',
    };
    await openStreamSocket({
      ...common,
      transport: 'tls',
      connectTimeoutMs: 1500,
      signal: new AbortController().signal,
    }).catch(() => undefined);
    await streamExchange(Buffer.alloc(20), Buffer.alloc(12), {
      ...common,
      transport: 'tcp',
      rtt: new RttEstimator(),
      signal: new AbortController().signal,
    });
    expect(proxy.heads.map((h) => h.split('\r\n')[0])).toEqual([
      'CONNECT turn.example.org:443 HTTP/1.1',
      'CONNECT turn.example.org:443 HTTP/1.1',
    ]);
  });

  it('403 for port 443: the proxy filters this destination (domain or IP), not the port', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    const err = await failure(
      openHttpTunnel(parseProxyUrl(`http://127.0.0.1:${proxy.port}`), {
        to: transportAddress('203.0.113.10', 443),
        host: 'turn.example.org',
        timeoutMs: 1500,
        signal: new AbortController().signal,
      }),
    );
    expect(err.code).toBe('PROXY_FORBIDDEN');
    expect(err.message).toBe(
      `your proxy http://127.0.0.1:${proxy.port} refused CONNECT to turn.example.org:443 (403): port 443 is the one offices allow, so it filters this destination (a domain or IP block list) — ask IT to allow this host`,
    );
    expect(err.message).not.toContain('does not allow CONNECT to port');
  });

  it('407: "your proxy wants a login"', async () => {
    const proxy = await scriptedProxy((s) =>
      s.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="x"\r\n\r\n'),
    );
    const err = await failure(tunnel(proxy.port));
    expect(err.code).toBe('PROXY_AUTH_REQUIRED');
    expect(err.status).toBe(407);
    expect(err.message).toContain(`your proxy http://127.0.0.1:${proxy.port} wants a login (407)`);
  });

  it('403 for another port: names the port and says most offices allow only 443; never shows the credentials', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    const err = await failure(tunnel(proxy.port, 3478, `http://bob:Hidden-9@127.0.0.1:${proxy.port}`));
    expect(err.code).toBe('PROXY_FORBIDDEN');
    expect(err.message).toBe(
      `your proxy http://127.0.0.1:${proxy.port} does not allow CONNECT to port 3478 (403) — most offices allow only 443`,
    );
    expect(err.message).not.toContain('Hidden-9');
  });

  it('another status (502): refused, with the reason phrase', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    const err = await failure(tunnel(proxy.port));
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.message).toContain('(502 Bad Gateway)');
  });

  it('a proxy that closes without answering', async () => {
    const proxy = await scriptedProxy((s) => s.end());
    const err = await failure(tunnel(proxy.port));
    expect(err.code).toBe('PROXY_CLOSED');
  });

  it('something that is not an HTTP proxy (a SSH banner; an answer cut inside its head)', async () => {
    const ssh = await listen((s) => s.write('SSH-2.0-OpenSSH_9.2\r\n'));
    expect((await failure(tunnel(ssh))).code).toBe('PROXY_NOT_HTTP');
    const cut = await scriptedProxy((s) => s.end('HTTP/1.1 200 OK\r\nX: y'));
    expect((await failure(tunnel(cut.port))).code).toBe('PROXY_NOT_HTTP');
  });

  it('a head larger than 16 KiB is not an HTTP proxy', async () => {
    const big = await scriptedProxy((s) => s.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`));
    expect((await failure(tunnel(big.port))).code).toBe('PROXY_NOT_HTTP');
  });

  it('a silent proxy: timeout, saying it did not answer', async () => {
    const silent = await scriptedProxy(() => undefined);
    const err = await failure(tunnel(silent.port));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('did not answer the CONNECT request within 1500 ms');
  });

  it('no proxy listening: unreachable, with the socket error', async () => {
    const port = await listen(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    const err = await failure(tunnel(port));
    expect(err.code).toBe('PROXY_UNREACHABLE');
    expect(err.detail).toBe('ECONNREFUSED');
  });
});

/** `--proxy http://127.0.0.1:<port>` with the NO_PROXY entries `noProxy`. */
function routeVia(port: number, noProxy: string[] = []): ProxyRoute {
  return { proxy: parseProxyUrl(`http://127.0.0.1:${port}`), source: 'flag', variable: null, noProxy };
}

describe('stream connections through the proxy', () => {
  it('openStreamSocket: a 403 becomes a LinkConnectError with the proxy’s words', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    const route = routeVia(proxy.port);
    const err = await openStreamSocket({
      transport: 'tls',
      to: transportAddress('203.0.113.10', 5349),
      proxy: route,
      connectTimeoutMs: 1500,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkConnectError);
    expect((err as LinkConnectError).code).toBe('PROXY_FORBIDDEN');
    expect((err as LinkConnectError).facts.proxyFailure).toContain('does not allow CONNECT to port 5349');
  });

  it('NO_PROXY naming the host: the connection is made directly (the proxy sees nothing)', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 200 OK\r\n\r\n'));
    const target = await listen(() => undefined);
    const route = routeVia(proxy.port, ['127.0.0.0/8']);
    const socket = await openStreamSocket({
      transport: 'tcp',
      to: transportAddress('127.0.0.1', target),
      proxy: route,
      connectTimeoutMs: 1500,
      signal: new AbortController().signal,
    });
    expect(socket.remotePort).toBe(target);
    socket.destroy();
    expect(proxy.heads).toEqual([]);
  });

  it('streamExchange: a proxy refusal is the exchange’s failure, in words', async () => {
    const proxy = await scriptedProxy((s) => s.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    const route = routeVia(proxy.port);
    const r = await streamExchange(Buffer.alloc(20), Buffer.alloc(12), {
      transport: 'tcp',
      to: transportAddress('203.0.113.10', 3478),
      proxy: route,
      rtt: new RttEstimator(),
      signal: new AbortController().signal,
    });
    expect(r.response).toBeNull();
    expect(r.remote).toBeNull();
    expect(r.failure).toContain('wants a login (407)');
  });
});
