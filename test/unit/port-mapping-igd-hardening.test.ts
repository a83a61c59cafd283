import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  elementContents,
  elementText,
  findWanService,
  soapCall,
  urlOnGateway,
} from '../../src/client/port-mapping/igd-soap.js';
import { tryUpnpIgd } from '../../src/client/port-mapping/upnp-igd.js';

// A UPnP IGD is whatever answers SSDP on the LAN: its XML, URLs and HTTP answers are untrusted input.
// Real HTTP servers on 127.0.0.1 play a hostile or broken router.

const servers: Server[] = [];
const udp: Socket[] = [];
afterEach(async () => {
  for (const s of udp.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function router(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const SERVICE = 'urn:schemas-upnp-org:service:WANIPConnection:1';

describe('IGD XML scanning', () => {
  it('pairs each opening tag with the next closing one, namespaced or not', () => {
    expect(elementContents('<a><s:b x="1"> 1 </s:b><b/><b>2</b><c>3</c>', 'b')).toEqual([' 1 ', '2']);
    expect(elementText('<errorCode>718', 'errorCode')).toBeNull();
  });

  it('stays linear on many unclosed elements (a lazy regex took quadratic time here)', () => {
    const hostile = '<errorCode>'.repeat(40_000);
    expect(elementText(hostile, 'errorCode')).toBeNull();
    expect(elementContents(`<service>${'<service>'.repeat(40_000)}`, 'service')).toEqual([]);
  });
});

describe('IGD URLs must name the gateway over http:', () => {
  it('accepts a relative or absolute URL on the gateway', () => {
    expect(urlOnGateway('/ctl/IPConn', 'http://192.168.1.1:5000/rootDesc.xml', '192.168.1.1')).toBe(
      'http://192.168.1.1:5000/ctl/IPConn',
    );
  });

  it('rejects another host, another scheme and garbage, without throwing', () => {
    expect(urlOnGateway('http://169.254.169.254/latest', undefined, '192.168.1.1')).toBeInstanceOf(Error);
    expect(urlOnGateway('http://192.168.1.1.evil.example/', undefined, '192.168.1.1')).toBeInstanceOf(Error);
    expect(urlOnGateway('file:///etc/passwd', undefined, '192.168.1.1')).toBeInstanceOf(Error);
    expect(urlOnGateway('/ctl', 'http://[::1', '192.168.1.1')).toBeInstanceOf(Error);
  });

  it('a garbage <URLBase> is an error result, not an exception', () => {
    const xml = `<root><URLBase>http://[garbage</URLBase><service><serviceType>${SERVICE}</serviceType><controlURL>/ctl</controlURL></service></root>`;
    const found = findWanService(xml, 'http://192.168.1.1:5000/d.xml', '192.168.1.1');
    expect(found).toBeInstanceOf(Error);
    expect((found as Error).message).toMatch(/^controlURL: invalid URL/);
  });

  it('a controlURL on another host is refused', () => {
    const xml = `<root><service><serviceType>${SERVICE}</serviceType><controlURL>http://10.9.9.9/ctl</controlURL></service></root>`;
    expect(findWanService(xml, 'http://192.168.1.1:5000/d.xml', '192.168.1.1')).toBeInstanceOf(Error);
  });
});

describe('IGD SOAP over HTTP', () => {
  it('reads at most 64 KiB of an answer', async () => {
    const port = await router((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      for (let i = 0; i < 64; i++) res.write(chunk);
      res.end();
    });
    const result = await soapCall(
      { serviceType: SERVICE, controlUrl: `http://127.0.0.1:${port}/ctl` },
      'GetExternalIPAddress',
      [],
      5000,
    );
    expect(result).toEqual({
      ok: false,
      error: 'body longer than 65536 bytes',
      upnpCode: null,
      transport: true,
    });
  });

  it('follows no redirect', async () => {
    let redirected = false;
    const port = await router((req, res) => {
      if (req.url === '/elsewhere') redirected = true;
      res.writeHead(307, { location: '/elsewhere' });
      res.end();
    });
    const result = await soapCall(
      { serviceType: SERVICE, controlUrl: `http://127.0.0.1:${port}/ctl` },
      'GetExternalIPAddress',
      [],
      5000,
    );
    expect(result.ok).toBe(false);
    expect(redirected).toBe(false);
  });
});

/** An SSDP responder on 127.0.0.1:1900 pointing at `location`; null when the port is taken. */
async function ssdp(location: string): Promise<Socket | null> {
  const socket = createSocket('udp4');
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(1900, '127.0.0.1', () => resolve(true));
  });
  if (!bound) {
    socket.close();
    return null;
  }
  udp.push(socket);
  socket.on('message', (_m, from) =>
    socket.send(`HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: ${location}\r\n\r\n`, from.port, from.address),
  );
  return socket;
}

const BUDGET = { firstMs: 250, stepMs: 250, httpMs: 1000, lifetimeS: 60 };
const description = `<root><service><serviceType>${SERVICE}</serviceType><controlURL>/ctl</controlURL></service></root>`;

describe('UPnP IGD client against a fake IGD on loopback', () => {
  it('error 725 OnlyPermanentLeasesSupported: mapping unknown (null), no permanent retry', async (ctx) => {
    const actions: string[] = [];
    const port = await router((req, res) => {
      if (req.method === 'GET') return res.end(description);
      const action = String(req.headers.soapaction).split('#')[1]?.replace('"', '') ?? '';
      actions.push(action);
      if (action === 'GetExternalIPAddress')
        return res.end('<u:R><NewExternalIPAddress>203.0.113.7</NewExternalIPAddress></u:R>');
      res.writeHead(500);
      res.end(
        '<UPnPError><errorCode>725</errorCode><errorDescription>OnlyPermanentLeasesSupported</errorDescription></UPnPError>',
      );
    });
    if ((await ssdp(`http://127.0.0.1:${port}/d.xml`)) === null) return ctx.skip();
    const r = await tryUpnpIgd('127.0.0.1', '127.0.0.1', BUDGET);
    expect(r).toMatchObject({ answered: true, externalAddress: '203.0.113.7', mappingCreated: null });
    expect(r.error).toContain('UPnP error 725');
    expect(actions).toEqual(['GetExternalIPAddress', 'AddPortMapping']);
  });

  it('a LOCATION on another host is not fetched', async (ctx) => {
    if ((await ssdp('http://198.51.100.9:5000/d.xml')) === null) return ctx.skip();
    const r = await tryUpnpIgd('127.0.0.1', '127.0.0.1', BUDGET);
    expect(r.answered).toBe(true);
    expect(r.error).toMatch(/^LOCATION: URL .* names another host than the gateway 127\.0\.0\.1$/);
  });
});
