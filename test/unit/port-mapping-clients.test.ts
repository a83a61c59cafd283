import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { MappingBudget } from '../../src/client/port-mapping/budget.js';
import { tryNatPmp } from '../../src/client/port-mapping/nat-pmp.js';
import { tryPcp } from '../../src/client/port-mapping/pcp.js';
import { decodePcpAddress } from '../../src/client/port-mapping/pcp-codec.js';

// The NAT-PMP and PCP clients over real loopback UDP sockets against small gateways written here from the
// RFCs' layouts (a CPE that reports a shared 100.64/10 WAN address, a NAT-PMP-only gateway, a silent one).

const BUDGET: MappingBudget = { firstMs: 250, stepMs: 250, httpMs: 1000, lifetimeS: 60 };
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** A UDP "gateway" on 127.0.0.1 answering each datagram with `answer(request)` (null = silence). */
async function gateway(
  answer: (request: Buffer) => Buffer | null,
): Promise<{ port: number; seen: Buffer[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const seen: Buffer[] = [];
  socket.on('message', (request, from) => {
    seen.push(request);
    const reply = answer(request);
    if (reply) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, seen };
}

/** RFC 6886 answers of a CPE whose WAN address is 100.64.100.2. */
function natPmpCpe(request: Buffer): Buffer {
  if (request[1] === 0) return Buffer.from([0, 128, 0, 0, 0, 0, 0, 9, 100, 64, 100, 2]);
  const reply = Buffer.alloc(16);
  reply[1] = 129;
  request.copy(reply, 8, 4, 6);
  request.copy(reply, 10, 6, 8);
  request.copy(reply, 12, 8, 12);
  return reply;
}

/** RFC 6887 MAP answers of the same CPE: echo the request's payload, assign 100.64.100.2. */
function pcpCpe(request: Buffer): Buffer {
  const reply = Buffer.alloc(60);
  reply[0] = 2;
  reply[1] = 0x81;
  request.copy(reply, 4, 4, 8);
  request.copy(reply, 24, 24, 44);
  Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 100, 64, 100, 2]).copy(reply, 44);
  return reply;
}

describe('NAT-PMP client (RFC 6886)', () => {
  it('reads the external address, creates the test mapping and deletes it', async () => {
    const gw = await gateway(natPmpCpe);
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toEqual({
      protocol: 'nat-pmp',
      answered: true,
      gateway: `127.0.0.1:${gw.port}`,
      externalAddress: '100.64.100.2',
      mappingCreated: true,
      mappingRemoved: true,
      rttMs: expect.any(Number),
    });
    expect(gw.seen.map((b) => [b[1], b.length > 2 ? b.readUInt32BE(8) : null])).toEqual([
      [0, null],
      [1, 60],
      [1, 0],
    ]);
  });

  it('a result code is an answer with the error in words, and no external address', async () => {
    const gw = await gateway((req) => Buffer.from([0, 128 + (req[1] ?? 0), 0, 3, 0, 0, 0, 9, 0, 0, 0, 0]));
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({
      answered: true,
      externalAddress: null,
      mappingCreated: false,
      mappingRemoved: null,
    });
    expect(r.error).toContain('external address: result 3 (Network Failure)');
  });

  it('a silent gateway: not answered, after the first-answer budget only', async () => {
    const gw = await gateway(() => null);
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: false, rttMs: null, error: 'no answer within 250 ms' });
    expect(gw.seen.length).toBeGreaterThanOrEqual(1);
  });
});

describe('PCP client (RFC 6887)', () => {
  it('MAP with nonce and client IP, external address from the answer, then a lifetime-0 delete', async () => {
    const gw = await gateway(pcpCpe);
    const r = await tryPcp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({
      answered: true,
      externalAddress: '100.64.100.2',
      mappingCreated: true,
      mappingRemoved: true,
    });
    const [map, del] = gw.seen;
    expect(map?.readUInt32BE(4)).toBe(60);
    expect(decodePcpAddress(map!.subarray(8, 24))).toBe('127.0.0.1');
    expect(del?.readUInt32BE(4)).toBe(0);
    expect(del?.subarray(24, 36)).toEqual(map?.subarray(24, 36));
  });

  it('ignores an answer with another nonce', async () => {
    const gw = await gateway((req) => {
      const reply = pcpCpe(req);
      reply[24] = (reply[24] ?? 0) ^ 0xff;
      return reply;
    });
    const r = await tryPcp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: false, error: 'no answer within 250 ms' });
  });

  it('a NAT-PMP-only gateway (version 0 UNSUPP_VERSION) counts as answered, saying so', async () => {
    const gw = await gateway(() => Buffer.from([0, 0x81, 0, 1, 0, 0, 0, 9]));
    const r = await tryPcp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: true, externalAddress: null, mappingCreated: null });
    expect(r.error).toContain('speaks NAT-PMP only');
  });
});

describe('removal of the test mapping (a leak or a false "removed" otherwise)', () => {
  it('NAT-PMP: a repeated answer to the create is not the removal', async () => {
    const gw = await gateway((req) => {
      const reply = natPmpCpe(req);
      if (req[1] === 1) reply.writeUInt32BE(60, 12);
      return reply;
    });
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ mappingCreated: true, mappingRemoved: false });
    expect(r.error).toContain('removal: no answer');
  });

  it('NAT-PMP: a create without an answer is followed by a delete', async () => {
    const gw = await gateway((req) => (req[1] === 0 ? natPmpCpe(req) : null));
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: true, mappingCreated: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gw.seen.at(-1)?.readUInt32BE(8)).toBe(0);
  });

  it('PCP: a repeated answer to the create is not the removal', async () => {
    const gw = await gateway((req) => {
      const reply = pcpCpe(req);
      reply.writeUInt32BE(60, 4);
      return reply;
    });
    const r = await tryPcp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ mappingCreated: true, mappingRemoved: false });
  });

  it('PCP: a silent create is followed by a delete with the same nonce', async () => {
    const gw = await gateway(() => null);
    await tryPcp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [create] = gw.seen;
    const last = gw.seen.at(-1);
    expect(last?.readUInt32BE(4)).toBe(0);
    expect(last?.subarray(24, 36)).toEqual(create?.subarray(24, 36));
  });
});

describe('NAT-PMP answers that are not a full success', () => {
  it('a success answer cut short reports no external address (not 0.0.0.0)', async () => {
    const gw = await gateway((req) =>
      req[1] === 0 ? Buffer.from([0, 128, 0, 0, 0, 0, 0, 9]) : natPmpCpe(req),
    );
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: true, externalAddress: null });
    expect(r.error).toContain('answer cut short');
  });

  it("a PCP-only gateway's version-2 answer counts as answered: not NAT-PMP", async () => {
    const gw = await gateway(() => Buffer.from([2, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9]));
    const r = await tryNatPmp('127.0.0.1', BUDGET, { answered: false }, gw.port);
    expect(r).toMatchObject({ answered: true, externalAddress: null, mappingCreated: null });
    expect(r.error).toContain('speaks PCP only');
  });
});

describe('a refused port (ICMP port unreachable) is "not served"', () => {
  /** A loopback UDP port with nothing on it: the kernel answers with ICMP port unreachable. */
  async function closedPort(): Promise<number> {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    const { port } = s.address();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }

  it('NAT-PMP and PCP: no extended wait although the router answered another protocol', async () => {
    const port = await closedPort();
    const pmp = await tryNatPmp('127.0.0.1', BUDGET, { answered: true }, port);
    const pcp = await tryPcp('127.0.0.1', BUDGET, { answered: true }, port);
    for (const r of [pmp, pcp])
      expect(r).toMatchObject({ answered: false, error: 'port refused (ICMP port unreachable): not served' });
  });
});
