import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../lab/coturn-turn.js';
import { type Endpoint, type RunningLiar, startLiar } from '../../lab/stun-liar.js';
import { bindingRequest } from '../../src/client/nat-probe/requests.js';
import { ChangeRequest } from '../../src/wire/attributes/change-request.js';
import { Attr } from '../../src/wire/constants.js';
import { decodeMessage, getAddress } from '../../src/wire/message.js';

// The lab's misbehaving STUN servers on loopback (no root): they must lie exactly as designed, or the NAT
// lab's liar scenarios would test nothing.

const REPLY_WAIT_MS = 2_000;

interface Answer {
  /** Where the response came from. */
  from: Endpoint;
  other: Endpoint | undefined;
  origin: Endpoint | undefined;
  mapped: Endpoint | undefined;
}

const pick = (a: Endpoint | undefined): Endpoint | undefined => a && { address: a.address, port: a.port };

/** One Binding request over UDP from 127.0.0.1 to `to`, with CHANGE-REQUEST when `change` is given. */
function askUdp(to: Endpoint, change?: { ip: boolean; port: boolean }): Promise<Answer> {
  const req = bindingRequest(change ? [ChangeRequest.encode(change)] : []);
  const socket = createSocket('udp4');
  return new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer from ${to.address}:${to.port}`)),
      REPLY_WAIT_MS,
    );
    socket.on('message', (bytes, rinfo) => {
      const msg = decodeMessage(bytes);
      if (!msg.transactionId.equals(req.transactionId)) return;
      clearTimeout(timer);
      resolve({
        from: { address: rinfo.address, port: rinfo.port },
        other: pick(getAddress(msg, Attr.OTHER_ADDRESS)),
        origin: pick(getAddress(msg, Attr.RESPONSE_ORIGIN)),
        mapped: pick(getAddress(msg, Attr.XOR_MAPPED_ADDRESS)),
      });
    });
    socket.bind(0, '127.0.0.1', () => socket.send(req.bytes, to.port, to.address));
  }).finally(() => socket.close());
}

/** One Binding request over TCP; resolves with the response's OTHER-ADDRESS. */
function askTcp(to: Endpoint): Promise<Endpoint | undefined> {
  const req = bindingRequest();
  return new Promise((resolve, reject) => {
    const conn = connect(to.port, to.address, () => conn.write(req.bytes));
    conn.setTimeout(REPLY_WAIT_MS, () => conn.destroy(new Error('no TCP answer')));
    conn.on('error', reject);
    conn.on('data', (bytes) => {
      conn.end();
      resolve(pick(getAddress(decodeMessage(bytes), Attr.OTHER_ADDRESS)));
    });
  });
}

describe('lab misbehaving STUN servers (loopback)', () => {
  let running: RunningLiar | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('liar: OTHER-ADDRESS is its own IP; change-port honoured, change-IP answered from its one IP', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a1 = { address: '127.0.0.1', port: p1 };
    const a1p2 = { address: '127.0.0.1', port: p2 };
    running = await startLiar({
      addresses: ['127.0.0.1'],
      ports: [p1, p2],
      otherAddress: a1p2,
      honourChangePort: true,
    });

    const plain = await askUdp(a1);
    expect(plain).toMatchObject({ from: a1, origin: a1, other: a1p2 });
    expect(plain.mapped?.address).toBe('127.0.0.1');
    expect((await askUdp(a1, { ip: false, port: true })).from).toEqual(a1p2);
    expect((await askUdp(a1, { ip: true, port: true })).from).toEqual(a1p2);
    expect((await askUdp(a1p2)).from).toEqual(a1p2);
    expect(await askTcp(a1)).toEqual(a1p2);
  });

  it('liar on one port: OTHER-ADDRESS is the very address asked, every reply from it', async () => {
    const a1 = { address: '127.0.0.1', port: await freePort() };
    running = await startLiar({
      addresses: ['127.0.0.1'],
      ports: [a1.port],
      otherAddress: a1,
      honourChangePort: true,
    });

    expect(await askUdp(a1)).toMatchObject({ from: a1, origin: a1, other: a1 });
    expect((await askUdp(a1, { ip: true, port: true })).from).toEqual(a1);
    expect((await askUdp(a1, { ip: false, port: true })).from).toEqual(a1);
  });

  it('ignores CHANGE-REQUEST: a true second IP in OTHER-ADDRESS, every reply from the address asked', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a1 = { address: '127.0.0.1', port: p1 };
    const a2 = { address: '127.0.0.2', port: p1 };
    const other = { address: '127.0.0.2', port: p2 };
    running = await startLiar({
      addresses: ['127.0.0.1', '127.0.0.2'],
      ports: [p1, p2],
      otherAddress: other,
      honourChangePort: false,
    });

    expect(await askUdp(a1)).toMatchObject({ from: a1, other });
    expect((await askUdp(a1, { ip: true, port: true })).from).toEqual(a1);
    expect((await askUdp(a1, { ip: false, port: true })).from).toEqual(a1);
    expect((await askUdp(a2)).from).toEqual(a2);
    expect((await askUdp(other)).from).toEqual(other);
  });
});
