/**
 * Integration tests of the bundled STUN server (src/turn-server) over real UDP and TCP sockets on
 * 127.0.0.1/127.0.0.2 with picked ports: CHANGE-REQUEST sources, RESPONSE-ORIGIN/OTHER-ADDRESS,
 * RESPONSE-PORT, PADDING, 420, garbage, TCP framing, one-IP mode, close() and port conflicts.
 */

import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { MAX_UNPADDED_RESPONSE_BYTES } from '../../src/server/stun/binding-responder.js';
import { type RunningStunServer, startStunServer } from '../../src/server/stun/server.js';
import { type TransportAddress, transportAddress } from '../../src/wire/address.js';
import { ChangeRequest } from '../../src/wire/attributes/change-request.js';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import type { AttributeSpec } from '../../src/wire/build.js';
import { Attr, StunClass } from '../../src/wire/constants.js';
import { verifyFingerprint } from '../../src/wire/integrity.js';
import {
  decodeMessage,
  findAttribute,
  getAddress,
  getErrorCode,
  getUnknownAttributes,
} from '../../src/wire/message.js';
import { bindingRequest, sleep, tcpClient, type UdpClient, udpClient } from './stun-server-helpers.js';

const change = (ip: boolean, port: boolean): AttributeSpec => ChangeRequest.encode({ ip, port });

describe('STUN server on two loopback IPs × two ports', () => {
  let server: RunningStunServer;
  let client: UdpClient;
  let a1p1: TransportAddress;
  let a1p2: TransportAddress;
  let a2p1: TransportAddress;
  let a2p2: TransportAddress;

  beforeAll(async () => {
    server = await startStunServer({ port: 0 });
    client = await udpClient();
    [a1p1, a1p2, a2p1, a2p2] = server.udp as [
      TransportAddress,
      TransportAddress,
      TransportAddress,
      TransportAddress,
    ];
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('listens on A1:P1, A1:P2, A2:P1, A2:P2 over UDP and TCP, with no limitations', () => {
    const p1 = server.primary.port;
    expect(server.udp).toEqual([
      transportAddress('127.0.0.1', p1),
      transportAddress('127.0.0.1', p1 + 1),
      transportAddress('127.0.0.2', p1),
      transportAddress('127.0.0.2', p1 + 1),
    ]);
    expect(server.tcp).toEqual(server.udp);
    expect(server.otherAddress).toEqual(transportAddress('127.0.0.2', p1 + 1));
    expect(server.limitations).toEqual([]);
  });

  const combos: [boolean, boolean, number][] = [
    [false, false, 0],
    [true, false, 2],
    [false, true, 1],
    [true, true, 3],
  ];
  for (const [ip, port, index] of combos) {
    it(`answers CHANGE-REQUEST ip=${ip} port=${port} from the matching socket`, async () => {
      const { bytes, transactionId } = bindingRequest([change(ip, port)]);
      client.send(bytes, a1p1);
      const got = await client.next();
      expect(got).not.toBeNull();
      const expected = server.udp[index]!;
      expect(got!.from).toEqual(expected);
      const res = decodeMessage(got!.bytes);
      expect(res.transactionId.equals(transactionId)).toBe(true);
      expect(res.cls).toBe(StunClass.successResponse);
      expect(getAddress(res, Attr.RESPONSE_ORIGIN)).toEqual(expected);
      expect(getAddress(res, Attr.OTHER_ADDRESS)).toEqual(a2p2);
      expect(getAddress(res, Attr.XOR_MAPPED_ADDRESS)).toEqual(transportAddress('127.0.0.1', client.port));
      expect(getAddress(res, Attr.MAPPED_ADDRESS)).toEqual(transportAddress('127.0.0.1', client.port));
      expect(verifyFingerprint(res)).toBe('valid');
    });
  }

  it('gives OTHER-ADDRESS relative to the socket the request reached', async () => {
    for (const [to, other] of [
      [a2p1, a1p2],
      [a1p2, a2p1],
      [a2p2, a1p1],
    ] as const) {
      client.send(bindingRequest().bytes, to);
      const got = await client.next();
      expect(got?.from).toEqual(to);
      expect(getAddress(decodeMessage(got!.bytes), Attr.OTHER_ADDRESS)).toEqual(other);
    }
  });

  it('sends to RESPONSE-PORT on the client IP, not to the source port', async () => {
    const other = await udpClient();
    try {
      client.send(bindingRequest([ResponsePort.encode(other.port)]).bytes, a1p1);
      const got = await other.next();
      expect(got?.from).toEqual(a1p1);
      expect(getAddress(decodeMessage(got!.bytes), Attr.XOR_MAPPED_ADDRESS)?.port).toBe(client.port);
      expect(await client.next(300)).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('pads the response to the request size and never beyond (1500 bytes in, 1500 out; 48 in, ≤ bound out)', async () => {
    const big = bindingRequest([{ type: Attr.PADDING, raw: Buffer.alloc(1500 - 20 - 4 - 8) }]);
    expect(big.bytes.length).toBe(1500);
    client.send(big.bytes, a1p1);
    const got = await client.next();
    expect(got?.bytes.length).toBe(1500);
    expect(findAttribute(decodeMessage(got!.bytes), Attr.PADDING)).toBeDefined();

    const small = bindingRequest([{ type: Attr.PADDING, raw: Buffer.alloc(16) }]);
    client.send(small.bytes, a1p1);
    const got2 = await client.next();
    expect(got2!.bytes.length).toBeLessThanOrEqual(Math.max(small.bytes.length, MAX_UNPADDED_RESPONSE_BYTES));
  });

  it('answers 420 with UNKNOWN-ATTRIBUTES to an unknown comprehension-required attribute', async () => {
    client.send(bindingRequest([{ type: 0x7abc, raw: Buffer.from('zz') }]).bytes, a1p1);
    const res = decodeMessage((await client.next())!.bytes);
    expect(res.cls).toBe(StunClass.errorResponse);
    expect(getErrorCode(res)?.code).toBe(420);
    expect(getUnknownAttributes(res)).toEqual([0x7abc]);
  });

  it('drops garbage and keeps answering', async () => {
    for (const junk of [Buffer.from('hello'), Buffer.alloc(0), Buffer.alloc(3000, 0xff), Buffer.alloc(20)]) {
      client.send(junk, a1p1);
    }
    expect(await client.next(300)).toBeNull();
    const { bytes, transactionId } = bindingRequest();
    client.send(bytes, a1p1);
    expect(decodeMessage((await client.next())!.bytes).transactionId.equals(transactionId)).toBe(true);
  });

  it('answers an RFC 3489 client, echoing its 128-bit transaction ID', async () => {
    const id = 'aabbccdd00112233445566778899aabb';
    client.send(Buffer.from(`00010008${id}0003000400000006`, 'hex'), a1p1);
    const got = await client.next();
    expect(got?.from).toEqual(a2p2);
    expect(got!.bytes.readUInt16BE(0)).toBe(0x0101);
    expect(got!.bytes.subarray(4, 20).toString('hex')).toBe(id);
  });

  describe('over TCP', () => {
    it('reassembles a request split across chunks, and answers two requests sent in one chunk', async () => {
      const c = await tcpClient(a2p1);
      try {
        const one = bindingRequest();
        c.socket.write(one.bytes.subarray(0, 3));
        await sleep(30);
        c.socket.write(one.bytes.subarray(3, 25));
        await sleep(30);
        c.socket.write(one.bytes.subarray(25));
        const res = await c.next();
        expect(res?.transactionId.equals(one.transactionId)).toBe(true);
        expect(getAddress(res!, Attr.RESPONSE_ORIGIN)).toEqual(a2p1);
        expect(getAddress(res!, Attr.OTHER_ADDRESS)).toEqual(a1p2);
        const mapped = getAddress(res!, Attr.XOR_MAPPED_ADDRESS);
        expect(mapped).toEqual(transportAddress('127.0.0.1', c.socket.localPort!));

        const two = [bindingRequest(), bindingRequest()];
        c.socket.write(Buffer.concat(two.map((r) => r.bytes)));
        const ids = [await c.next(), await c.next()].map((m) => m?.transactionId.toString('hex'));
        expect(ids).toEqual(two.map((r) => r.transactionId.toString('hex')));
      } finally {
        c.socket.destroy();
      }
    });

    it('answers CHANGE-REQUEST with 420 on the same connection', async () => {
      const c = await tcpClient(a1p1);
      try {
        c.socket.write(bindingRequest([change(true, true)]).bytes);
        const res = await c.next();
        expect(getErrorCode(res!)?.code).toBe(420);
        expect(getUnknownAttributes(res!)).toEqual([Attr.CHANGE_REQUEST]);
      } finally {
        c.socket.destroy();
      }
    });

    it.each([
      ['HTTP', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
      ['TLS', Buffer.from('16030100050100000100', 'hex')],
      ['ChannelData with no allocation on the connection', Buffer.from('4000000461626364', 'hex')],
      [
        'a Binding request then HTTP in one chunk',
        Buffer.concat([bindingRequest().bytes, Buffer.from('GET /')]),
      ],
    ])('closes a connection that sends %s', async (_name, bytes) => {
      const c = await tcpClient(a1p1);
      c.socket.write(bytes);
      await expect(
        Promise.race([c.closed.then(() => 'closed'), sleep(2000).then(() => 'open')]),
      ).resolves.toBe('closed');
    });
  });
});

describe('STUN server lifecycle', () => {
  it('close() frees every port: the same ports can be bound again', async () => {
    const server = await startStunServer({ port: 0 });
    const { udp, tcp } = server;
    await server.close();
    await server.close();
    for (const a of udp) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(a.port, a.address, resolve);
      });
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    for (const a of tcp) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(a.port, a.address, resolve);
      });
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    const again = await startStunServer({ port: server.primary.port });
    expect(again.primary).toEqual(server.primary);
    await again.close();
  });

  it('close() ends open TCP connections', async () => {
    const server = await startStunServer({ port: 0 });
    const c = await tcpClient(server.primary);
    await server.close();
    await expect(Promise.race([c.closed.then(() => 'closed'), sleep(2000).then(() => 'open')])).resolves.toBe(
      'closed',
    );
  });

  it('reports a port in use as UserError address-in-use with a one-line message', async () => {
    const server = await startStunServer({ port: 0, tcp: false });
    try {
      const err = await startStunServer({ port: server.primary.port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('address-in-use');
      expect((err as UserError).message).toBe(
        `cannot listen on 127.0.0.1:${server.primary.port}: address in use`,
      );
    } finally {
      await server.close();
    }
  });

  it('runs with one IP and two ports when the second address is not local, and says what that limits', async () => {
    const server = await startStunServer({ addresses: ['127.0.0.1', '192.0.2.123'], port: 0 });
    const client = await udpClient();
    try {
      expect(server.udp).toHaveLength(2);
      expect(server.tcp).toHaveLength(2);
      expect(server.otherAddress).toBeNull();
      expect(server.limitations).toHaveLength(1);
      expect(server.limitations[0]).toMatch(/192\.0\.2\.123.*OTHER-ADDRESS.*420/);

      client.send(bindingRequest().bytes, server.primary);
      const plain = decodeMessage((await client.next())!.bytes);
      expect(findAttribute(plain, Attr.OTHER_ADDRESS)).toBeUndefined();

      client.send(bindingRequest([change(true, false)]).bytes, server.primary);
      const refused = decodeMessage((await client.next())!.bytes);
      expect(getErrorCode(refused)?.code).toBe(420);

      client.send(bindingRequest([change(false, true)]).bytes, server.primary);
      expect((await client.next())?.from).toEqual(server.udp[1]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('serves IPv6 on ::1', async () => {
    const server = await startStunServer({ addresses: ['::1'], port: 0 });
    const client = await udpClient('::1');
    try {
      expect(server.limitations[0]).toMatch(/only one IP/);
      client.send(bindingRequest().bytes, server.primary);
      const res = decodeMessage((await client.next())!.bytes);
      expect(getAddress(res, Attr.XOR_MAPPED_ADDRESS)).toEqual(transportAddress('::1', client.port));
      expect(getAddress(res, Attr.RESPONSE_ORIGIN)).toEqual(server.primary);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
