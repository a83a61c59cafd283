/**
 * The bundled TURN server (RFC 8656) on loopback, driven by a raw client: every error code where it applies,
 * the relay in both directions (Send/Data indications and ChannelData, UDP and TCP), retransmissions,
 * Refresh(0), TCP close, IPv6, SHA-256 password algorithm, and the metrics endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTurnFlags, type TurnFlags } from '../../src/cli/config/turn-flags.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { buildMessage } from '../../src/wire/build.js';
import { encodeChannelData, readChannelData } from '../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { longTermKey, verifyIntegrity } from '../../src/wire/integrity.js';
import {
  decodeMessage,
  findAttribute,
  getAddress,
  getErrorCode,
  getUint32,
  type StunMessage,
} from '../../src/wire/message.js';
import { mintRestCredentials } from '../../src/wire/rest-credentials.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { echoPeer, RawTurnClient, UDP_TRANSPORT } from '../support/turn-raw.js';

const ALICE = { username: 'alice', password: 'wonderland' };
const LISTEN = ['127.0.0.1', '127.0.0.2'];

async function server(flags: TurnFlags = {}, addresses = LISTEN): Promise<RunningTurnServer> {
  return startTurnServer({
    addresses,
    port: 0,
    turn: parseTurnFlags({ user: ['alice:wonderland', 'bob:builder'], ...flags }, addresses, true),
  });
}

const code = (m: StunMessage): number | undefined => getErrorCode(m)?.code;
const peerAttr = (address: string, port: number) => ({
  type: Attr.XOR_PEER_ADDRESS,
  address: { address, port },
});
const sendIndication = (peerPort: number, text: string): Buffer =>
  buildMessage({
    method: StunMethod.send,
    cls: StunClass.indication,
    transactionId: newTransactionId(),
    attributes: [peerAttr('127.0.0.1', peerPort), { type: Attr.DATA, bytes: Buffer.from(text) }],
  });
const channelAttr = (n: number) => ({
  type: Attr.CHANNEL_NUMBER,
  raw: Buffer.from([n >> 8, n & 0xff, 0, 0]),
});

describe('TURN server over UDP', () => {
  let s: RunningTurnServer;
  beforeAll(async () => {
    s = await server({ relayPorts: '49500-49600' });
  });
  afterAll(() => s.close());

  it('401 with REALM, NONCE and PASSWORD-ALGORITHMS for an unsigned Allocate, and keeps no state', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    const r = await c.request(StunMethod.allocate, [UDP_TRANSPORT]);
    expect(code(r)).toBe(401);
    expect(findAttribute(r, Attr.REALM)?.value.toString()).toBe('ice-doctor');
    expect(findAttribute(r, Attr.NONCE)?.value.toString()).toMatch(/^obMatJos2gAAA/);
    expect(findAttribute(r, Attr.PASSWORD_ALGORITHMS)).toBeDefined();
    expect(s.engine.table.size).toBe(0);
    await c.close();
  });

  it('allocates, relays Send→Data indications and ChannelData both ways, refreshes, and deletes with LIFETIME 0', async () => {
    const peer = await echoPeer();
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    const ok = await c.allocate(ALICE);
    expect(ok.cls).toBe(StunClass.successResponse);
    expect(verifyIntegrity(ok, longTermKey('alice', 'ice-doctor', 'wonderland'))).toBe('valid');
    const relayed = getAddress(ok, Attr.XOR_RELAYED_ADDRESS)!;
    expect(relayed.address).toBe('127.0.0.1');
    expect(relayed.port).toBeGreaterThanOrEqual(49500);
    expect(getAddress(ok, Attr.XOR_MAPPED_ADDRESS)).toEqual(c.local());
    expect(getUint32(ok, Attr.LIFETIME)).toBe(600);
    const bound = s.engine.table.relayPortsBound;

    c.send(sendIndication(peer.address.port, 'before'));
    await new Promise((r) => setTimeout(r, 150));
    expect(peer.count()).toBe(0);

    const perm = await c.signed(
      StunMethod.createPermission,
      [peerAttr('127.0.0.1', peer.address.port)],
      ALICE,
    );
    expect(perm.cls).toBe(StunClass.successResponse);
    c.send(sendIndication(peer.address.port, 'hello'));
    const data = decodeMessage(
      await c.waitFor((b) => (b[0]! & 0xc0) === 0 && decodeMessage(b).method === StunMethod.data),
    );
    expect(findAttribute(data, Attr.DATA)?.value.toString()).toBe('hello');
    expect(getAddress(data, Attr.XOR_PEER_ADDRESS)).toEqual(peer.address);

    const bind = await c.signed(
      StunMethod.channelBind,
      [channelAttr(0x4001), peerAttr('127.0.0.1', peer.address.port)],
      ALICE,
    );
    expect(bind.cls).toBe(StunClass.successResponse);
    expect(verifyIntegrity(bind, longTermKey('alice', 'ice-doctor', 'wonderland'))).toBe('valid');
    for (const size of [0, 1, 2, 3, 1200]) {
      const payload = Buffer.alloc(size, size);
      c.send(encodeChannelData(0x4001, payload, false));
      const back = await c.waitFor((b) => {
        const cd = (b[0]! & 0xc0) === 0x40 ? readChannelData(b) : null;
        return cd !== null && cd.data.length === size;
      });
      expect(readChannelData(back)!.channel).toBe(0x4001);
    }

    const refresh = await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 1200 }], ALICE);
    expect(getUint32(refresh, Attr.LIFETIME)).toBe(1200);
    const del = await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    expect(getUint32(del, Attr.LIFETIME)).toBe(0);
    expect(s.engine.table.size).toBe(0);
    expect(s.engine.table.relayPortsBound).toBe(bound - 1);
    const again = await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 600 }], ALICE);
    expect(code(again)).toBe(437);
    await c.close();
    await peer.close();
  });

  it('answers a retransmitted Allocate with the same bytes, and a new Allocate on the same 5-tuple with 437', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    await c.request(StunMethod.allocate, [UDP_TRANSPORT]).then((r) => c.learn(r));
    const tid = newTransactionId();
    const bytes = c.signedBytes(StunMethod.allocate, [UDP_TRANSPORT], ALICE, tid);
    const first = await c.exchange(bytes, tid);
    const second = await c.exchange(bytes, tid);
    expect(first.cls).toBe(StunClass.successResponse);
    expect(second.raw.equals(first.raw)).toBe(true);
    expect(code(await c.allocate(ALICE))).toBe(437);
    await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    await c.close();
  });

  it.each([
    ['400: no REQUESTED-TRANSPORT', [], 400],
    [
      '442: REQUESTED-TRANSPORT TCP',
      [{ type: Attr.REQUESTED_TRANSPORT, raw: Buffer.from([6, 0, 0, 0]) }],
      442,
    ],
    [
      '420: DONT-FRAGMENT (the server cannot set DF)',
      [UDP_TRANSPORT, { type: Attr.DONT_FRAGMENT, raw: Buffer.alloc(0) }],
      420,
    ],
    [
      '440: IPv6 relay requested from an IPv4-only server',
      [UDP_TRANSPORT, { type: Attr.REQUESTED_ADDRESS_FAMILY, raw: Buffer.from([2, 0, 0, 0]) }],
      440,
    ],
    [
      '400: RESERVATION-TOKEN with EVEN-PORT',
      [
        UDP_TRANSPORT,
        { type: Attr.EVEN_PORT, raw: Buffer.from([0x80]) },
        { type: Attr.RESERVATION_TOKEN, raw: Buffer.alloc(8) },
      ],
      400,
    ],
    [
      '508: unknown RESERVATION-TOKEN',
      [UDP_TRANSPORT, { type: Attr.RESERVATION_TOKEN, raw: Buffer.alloc(8, 7) }],
      508,
    ],
  ] as const)('Allocate %s', async (_name, attrs, expected) => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    const r = await c.signed(StunMethod.allocate, [...attrs], ALICE);
    expect(code(r)).toBe(expected);
    if (expected === 420)
      expect(findAttribute(r, Attr.UNKNOWN_ATTRIBUTES)?.value.readUInt16BE(0)).toBe(Attr.DONT_FRAGMENT);
    expect(verifyIntegrity(r, longTermKey('alice', 'ice-doctor', 'wonderland'))).toBe('valid');
    expect(s.engine.table.size).toBe(0);
    await c.close();
  });

  it('EVEN-PORT with R: an even relayed port and a RESERVATION-TOKEN that a second client redeems for port + 1', async () => {
    const a = await RawTurnClient.udp(s.turnUdp[0]!);
    const r = await a.allocate(ALICE, [{ type: Attr.EVEN_PORT, raw: Buffer.from([0x80]) }]);
    const port = getAddress(r, Attr.XOR_RELAYED_ADDRESS)!.port;
    expect(port % 2).toBe(0);
    const token = findAttribute(r, Attr.RESERVATION_TOKEN)!.value;
    expect(token.length).toBe(8);
    const b = await RawTurnClient.udp(s.turnUdp[0]!);
    const r2 = await b.allocate(ALICE, [{ type: Attr.RESERVATION_TOKEN, raw: Buffer.from(token) }]);
    expect(getAddress(r2, Attr.XOR_RELAYED_ADDRESS)!.port).toBe(port + 1);
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    expect(code(await c.allocate(ALICE, [{ type: Attr.RESERVATION_TOKEN, raw: Buffer.from(token) }]))).toBe(
      508,
    );
    for (const x of [a, b]) await x.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    for (const x of [a, b, c]) await x.close();
  });

  it('401 for a wrong password and for prototype-key usernames; 441 when another user touches the allocation', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    expect(code(await c.allocate({ username: 'alice', password: 'nope' }))).toBe(401);
    for (const username of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      for (const password of ['', 'undefined', 'x'])
        expect(code(await c.allocate({ username, password }))).toBe(401);
    expect((await c.allocate(ALICE)).cls).toBe(StunClass.successResponse);
    const bob = { username: 'bob', password: 'builder' };
    expect(code(await c.signed(StunMethod.refresh, [], bob))).toBe(441);
    expect(code(await c.signed(StunMethod.createPermission, [peerAttr('127.0.0.1', 9)], bob))).toBe(441);
    await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    await c.close();
  });

  it('CreatePermission and ChannelBind: 400 without a peer, 443 for an IPv6 peer, 400 for a bad channel or a rebinding', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    await c.allocate(ALICE);
    expect(code(await c.signed(StunMethod.createPermission, [], ALICE))).toBe(400);
    expect(code(await c.signed(StunMethod.createPermission, [peerAttr('::1', 9)], ALICE))).toBe(443);
    expect(code(await c.signed(StunMethod.channelBind, [peerAttr('127.0.0.1', 9)], ALICE))).toBe(400);
    expect(
      code(await c.signed(StunMethod.channelBind, [channelAttr(0x3fff), peerAttr('127.0.0.1', 9)], ALICE)),
    ).toBe(400);
    expect(
      code(await c.signed(StunMethod.channelBind, [channelAttr(0x8000), peerAttr('127.0.0.1', 9)], ALICE)),
    ).toBe(400);
    expect(
      (await c.signed(StunMethod.channelBind, [channelAttr(0x4002), peerAttr('127.0.0.1', 9)], ALICE)).cls,
    ).toBe(StunClass.successResponse);
    expect(
      (await c.signed(StunMethod.channelBind, [channelAttr(0x4002), peerAttr('127.0.0.1', 9)], ALICE)).cls,
    ).toBe(StunClass.successResponse);
    expect(
      code(await c.signed(StunMethod.channelBind, [channelAttr(0x4002), peerAttr('127.0.0.1', 10)], ALICE)),
    ).toBe(400);
    expect(
      code(await c.signed(StunMethod.channelBind, [channelAttr(0x4003), peerAttr('127.0.0.1', 9)], ALICE)),
    ).toBe(400);
    await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    await c.close();
  });

  it('438 with a fresh nonce for a nonce from elsewhere, then succeeds with it', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    await c.request(StunMethod.allocate, [UDP_TRANSPORT]).then((r) => c.learn(r));
    c.useNonce(c.currentNonce.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')));
    const tid = newTransactionId();
    const stale = await c.exchange(c.signedBytes(StunMethod.allocate, [UDP_TRANSPORT], ALICE, tid), tid);
    expect(code(stale)).toBe(438);
    expect(findAttribute(stale, Attr.NONCE)).toBeDefined();
    c.learn(stale);
    const ok = await c.allocate(ALICE);
    expect(ok.cls).toBe(StunClass.successResponse);
    await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    await c.close();
  });

  it('SHA-256: PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256 authenticate, and the response is signed alike', async () => {
    const c = await RawTurnClient.udp(s.turnUdp[0]!);
    const ok = await c.allocate({ ...ALICE, sha256Key: true, integrity: 'sha256' });
    expect(ok.cls).toBe(StunClass.successResponse);
    expect(verifyIntegrity(ok, longTermKey('alice', 'ice-doctor', 'wonderland', 'sha256'), 'sha256')).toBe(
      'valid',
    );
    await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], {
      ...ALICE,
      sha256Key: true,
      integrity: 'sha256',
    });
    await c.close();
  });

  it('403 for every denied peer range (IPv4, IPv6, IPv4-mapped, metadata, multicast, broadcast), on both methods', async () => {
    const v4 = await RawTurnClient.udp(s.turnUdp[0]!);
    await v4.allocate(ALICE);
    const denied = [
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '224.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '198.18.0.1',
    ];
    for (const ip of denied) {
      expect(code(await v4.signed(StunMethod.createPermission, [peerAttr(ip, 80)], ALICE)), ip).toBe(403);
      expect(
        code(await v4.signed(StunMethod.channelBind, [channelAttr(0x4010), peerAttr(ip, 80)], ALICE)),
        ip,
      ).toBe(403);
    }
    expect((await v4.signed(StunMethod.createPermission, [peerAttr('127.0.0.1', 80)], ALICE)).cls).toBe(
      StunClass.successResponse,
    );
    await v4.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], ALICE);
    await v4.close();
  });
});

describe('TURN server quotas and limits', () => {
  it('486 beyond the user quota and 508 when the relay port range is exhausted', async () => {
    const s = await server({ userQuota: '1', relayPorts: '49700-49700' });
    try {
      const a = await RawTurnClient.udp(s.turnUdp[0]!);
      const b = await RawTurnClient.udp(s.turnUdp[0]!);
      expect((await a.allocate(ALICE)).cls).toBe(StunClass.successResponse);
      expect(code(await b.allocate(ALICE))).toBe(486);
      expect(code(await b.allocate({ username: 'bob', password: 'builder' }))).toBe(508);
      await a.close();
      await b.close();
    } finally {
      await s.close();
    }
  });

  it('a peer range opened with --allow-peer is allowed; without it loopback peers are denied on a non-loopback config', async () => {
    const open = await server({ allowPeer: ['10.0.0.0/8'] });
    try {
      const c = await RawTurnClient.udp(open.turnUdp[0]!);
      await c.allocate(ALICE);
      expect((await c.signed(StunMethod.createPermission, [peerAttr('10.9.9.9', 1)], ALICE)).cls).toBe(
        StunClass.successResponse,
      );
      expect(code(await c.signed(StunMethod.createPermission, [peerAttr('127.0.0.1', 1)], ALICE))).toBe(403);
      expect(
        code(await c.signed(StunMethod.createPermission, [peerAttr('::ffff:127.0.0.1', 1)], ALICE)),
      ).toBe(443);
      await c.close();
    } finally {
      await open.close();
    }
  });

  it('TURN REST credentials: a fresh one authenticates, an expired one is 401, the old secret still works during rotation', async () => {
    const s = await server({ authSecret: ['new-secret', 'old-secret'] });
    try {
      const c = await RawTurnClient.udp(s.turnUdp[0]!);
      const old = mintRestCredentials('old-secret', 'carol', 60);
      expect((await c.allocate(old)).cls).toBe(StunClass.successResponse);
      await c.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }], old);
      const expired = mintRestCredentials('new-secret', 'carol', 60, Date.now() - 120_000);
      expect(code(await c.allocate(expired))).toBe(401);
      const wrong = mintRestCredentials('other-secret', 'carol', 60);
      expect(code(await c.allocate(wrong))).toBe(401);
      await c.close();
    } finally {
      await s.close();
    }
  });
});

describe('TURN server over TCP and IPv6, and its metrics', () => {
  it('relays ChannelData over TCP with padding; closing the connection deletes the allocation', async () => {
    const s = await server({ metricsPort: '0' });
    const peer = await echoPeer();
    try {
      const c = await RawTurnClient.tcp(s.turnTcp[0]!);
      expect((await c.allocate(ALICE)).cls).toBe(StunClass.successResponse);
      await c.signed(
        StunMethod.channelBind,
        [channelAttr(0x4abc), peerAttr('127.0.0.1', peer.address.port)],
        ALICE,
      );
      c.send(encodeChannelData(0x4abc, Buffer.from('abcde'), true));
      const back = await c.waitFor((b) => (b[0]! & 0xc0) === 0x40);
      expect(readChannelData(back)!.data.toString()).toBe('abcde');
      expect(s.engine.table.size).toBe(1);
      const text = await (await fetch(s.metricsUrl!)).text();
      expect(text).toMatch(/ice_doctor_turn_active_allocations\{transport="tcp"\} 1/);
      expect(text).toMatch(/ice_doctor_turn_relayed_packets_total\{direction="peer-to-client"\} 1/);
      await c.close();
      await new Promise((r) => setTimeout(r, 100));
      expect(s.engine.table.size).toBe(0);
      expect(s.engine.table.relayPortsBound).toBe(0);
    } finally {
      await peer.close();
      await s.close();
    }
  });

  it('allocates an IPv6 relayed address on ::1 and relays to an IPv6 peer', async () => {
    const s = await server({}, ['::1']);
    const peer = await echoPeer('IPv6');
    try {
      const c = await RawTurnClient.udp(s.turnUdp[0]!);
      const ok = await c.allocate(ALICE, [
        { type: Attr.REQUESTED_ADDRESS_FAMILY, raw: Buffer.from([2, 0, 0, 0]) },
      ]);
      expect(getAddress(ok, Attr.XOR_RELAYED_ADDRESS)?.address).toBe('::1');
      await c.signed(
        StunMethod.channelBind,
        [channelAttr(0x4001), peerAttr('::1', peer.address.port)],
        ALICE,
      );
      c.send(encodeChannelData(0x4001, Buffer.from('v6'), false));
      const back = await c.waitFor((b) => (b[0]! & 0xc0) === 0x40);
      expect(readChannelData(back)!.data.toString()).toBe('v6');
      await c.close();
    } finally {
      await peer.close();
      await s.close();
    }
  });
});
