/**
 * Internal delivery in the bundled TURN server (AllocationTable.toPeer, relay/relayed-index.ts): data a
 * client sends to a relayed transport address of this server reaches that allocation's client directly,
 * as from the sender's relayed address, only under the receiver's permission (RFC 8656 §9), on its
 * channel when it bound one (§12), counted in the metrics; anything else leaves by the relay socket.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Allocation, peerKeyOf } from '../../src/server/turn/allocation.js';
import { AllocationTable } from '../../src/server/turn/allocation-table.js';
import { RFC_LIFETIMES, type TurnConfig } from '../../src/server/turn/config.js';
import { createTurnMetrics, type TurnMetrics } from '../../src/server/turn/metrics.js';
import { createPeerPolicy } from '../../src/server/turn/peer-policy.js';
import { RelayedIndex } from '../../src/server/turn/relay/relayed-index.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { Data } from '../../src/wire/attributes/data.js';
import { peerAddresses } from '../../src/wire/attributes/xor-peer-address.js';
import { readChannelData } from '../../src/wire/channel-data.js';
import { decodeMessage } from '../../src/wire/message.js';

const EXTERNAL = '127.0.0.2';
const RELAY_IP = '127.0.0.1';

/** A table relaying IPv4 on 127.0.0.1, advertised as `externalIp`, with real metrics. */
function tableWith(metrics: TurnMetrics, externalIp: string | undefined = EXTERNAL): AllocationTable {
  const config: TurnConfig = {
    credentials: { realm: 'test', users: new Map(), authSecrets: [], nonceLifetimeS: 600 },
    authLimit: { failureLimit: 0, windowMs: 1, blockMs: 1, maxClients: 1 },
    software: '',
    lifetimes: RFC_LIFETIMES,
    relay: { IPv4: { ip: RELAY_IP, ports: { min: 1024, max: 65535 }, ...(externalIp && { externalIp }) } },
    quotas: { perUser: 10, total: 10, bandwidthBytesPerS: null },
    peerPolicy: createPeerPolicy({ allow: ['127.0.0.0/8'] }),
    pageScope: null,
    metrics,
    log: pino({ level: 'silent' }),
  };
  return new AllocationTable(config);
}

interface Client {
  allocation: Allocation;
  received: Buffer[];
}

const tables: AllocationTable[] = [];
afterEach(() => {
  for (const t of tables.splice(0)) t.closeAll();
});

/** An allocation on a real relay socket (127.0.0.1, ephemeral port) whose client link records what it gets. */
async function allocate(table: AllocationTable, name: string): Promise<Client> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((done) => socket.bind(0, RELAY_IP, done));
  const received: Buffer[] = [];
  const link = {
    key: name,
    send: (b: Buffer) => {
      received.push(b);
    },
    onClose: () => {},
    keepOpen: () => {},
  };
  const remote: TransportAddress = { address: '127.0.0.1', port: 40000, family: 'IPv4' };
  const allocation = table.create({
    ctx: { transport: 'udp', localRole: 'A1:P1', local: remote, remote, link },
    auth: { ok: true, username: name, key: Buffer.alloc(16), integrity: 'sha1', scoped: false },
    family: 'IPv4',
    socket,
    port: socket.address().port,
    lifetimeS: 600,
  });
  return { allocation, received };
}

async function counted(metrics: TurnMetrics): Promise<{ packets: number; bytes: number }> {
  await new Promise((done) => setImmediate(done));
  const value = async (c: TurnMetrics['internalPackets']) => (await c.get()).values[0]?.value ?? 0;
  return { packets: await value(metrics.internalPackets), bytes: await value(metrics.internalBytes) };
}

async function setup(externalIp?: string) {
  const metrics = createTurnMetrics();
  const table = tableWith(metrics, externalIp);
  tables.push(table);
  const a = await allocate(table, 'a');
  const b = await allocate(table, 'b');
  return { metrics, table, a, b };
}

describe('RelayedIndex', () => {
  it('finds an allocation by relay IP or external IP and relay port; other IPs, ports and families miss', async () => {
    const { a } = await setup();
    const index = new RelayedIndex({ IPv4: { ip: RELAY_IP, externalIp: EXTERNAL } });
    index.add(a.allocation);
    const port = a.allocation.relayPort;
    expect(index.find({ address: EXTERNAL, port, family: 'IPv4' })?.allocation).toBe(a.allocation);
    expect(index.find({ address: RELAY_IP, port, family: 'IPv4' })?.allocation).toBe(a.allocation);
    expect(index.find({ address: '127.0.0.3', port, family: 'IPv4' })).toBeUndefined();
    expect(
      index.find({ address: EXTERNAL, port: port === 65535 ? 1024 : port + 1, family: 'IPv4' }),
    ).toBeUndefined();
    expect(index.find({ address: '::ffff:127.0.0.2', port, family: 'IPv6' })).toBeUndefined();
    expect(index.sourceOf(a.allocation)).toEqual({ address: EXTERNAL, port, family: 'IPv4' });
    index.remove(a.allocation);
    expect(index.find({ address: EXTERNAL, port, family: 'IPv4' })).toBeUndefined();
  });

  it('keeps an IPv6 external IP canonical, as XOR-PEER-ADDRESS decoding writes it', () => {
    const index = new RelayedIndex({ IPv6: { ip: '::1', externalIp: '2001:DB8:0:0::7' } });
    expect(index.isRelayIp({ address: '2001:db8::7', family: 'IPv6' })).toBe(true);
    expect(index.isRelayIp({ address: '2001:db8::7', family: 'IPv4' })).toBe(false);
  });
});

describe('internal delivery between two allocations of one server', () => {
  it('delivers a Send to the other relayed address as a Data indication from the sender’s relayed address', async () => {
    const { metrics, table, a, b } = await setup();
    const now = Date.now();
    table.permit(b.allocation, EXTERNAL, now);
    const sent = vi.spyOn(a.allocation.relay, 'send');
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('hello'), now);
    expect(sent).not.toHaveBeenCalled();
    expect(b.received).toHaveLength(1);
    const msg = decodeMessage(b.received[0]!);
    expect(peerAddresses(msg)).toEqual([a.allocation.relayed]);
    expect(a.allocation.relayed.address).toBe(EXTERNAL);
    expect(Data.decode(msg)?.toString()).toBe('hello');
    expect(await counted(metrics)).toEqual({ packets: 1, bytes: 5 });
  });

  it('is not delivered without the receiver’s permission for the sender’s relayed IP (RFC 8656 §9)', async () => {
    const { metrics, table, a, b } = await setup();
    const now = Date.now();
    table.permit(b.allocation, '127.0.0.9', now);
    const sent = vi.spyOn(a.allocation.relay, 'send');
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('hello'), now);
    expect(b.received).toHaveLength(0);
    expect(sent).not.toHaveBeenCalled();
    table.permit(b.allocation, RELAY_IP, now);
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('hello'), now);
    expect(b.received, 'the relay IP is not the relayed address the receiver knows').toHaveLength(0);
    expect(await counted(metrics)).toEqual({ packets: 0, bytes: 0 });
  });

  it('an expired permission does not deliver', async () => {
    const { table, a, b } = await setup();
    const long = Date.now() - (RFC_LIFETIMES.permissionS + 1) * 1000;
    table.permit(b.allocation, EXTERNAL, long);
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('x'), Date.now());
    expect(b.received).toHaveLength(0);
  });

  it('arrives as ChannelData when the receiver bound a channel to the sender’s relayed address', async () => {
    const { table, a, b } = await setup();
    const now = Date.now();
    table.bindChannel(b.allocation, 0x4001, a.allocation.relayed, now);
    expect(b.allocation.channelsByPeer.has(peerKeyOf(a.allocation.relayed))).toBe(true);
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('on a channel'), now);
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('again'), now);
    expect(b.received.map((m) => readChannelData(m)?.channel)).toEqual([0x4001, 0x4001]);
    expect(readChannelData(b.received[1]!)?.data.toString()).toBe('again');
  });

  it('a channel bound to another port of the sender’s IP gets a Data indication instead', async () => {
    const { table, a, b } = await setup();
    const now = Date.now();
    const elsewhere = { ...a.allocation.relayed, port: a.allocation.relayed.port ^ 1 };
    table.bindChannel(b.allocation, 0x4002, elsewhere, now);
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('x'), now);
    expect(readChannelData(b.received[0]!)).toBeNull();
    expect(peerAddresses(decodeMessage(b.received[0]!))).toEqual([a.allocation.relayed]);
  });

  it('also without an external IP (relayed address = relay IP), and not to a deleted allocation', async () => {
    const { table, a, b } = await setup('');
    const now = Date.now();
    expect(b.allocation.relayed.address).toBe(RELAY_IP);
    table.permit(b.allocation, RELAY_IP, now);
    const sent = vi.spyOn(a.allocation.relay, 'send');
    table.toPeer(a.allocation, b.allocation.relayed, Buffer.from('x'), now);
    expect(b.received).toHaveLength(1);
    const gone = b.allocation.relayed;
    table.close(b.allocation, 'test');
    table.toPeer(a.allocation, gone, Buffer.from('y'), now);
    expect(b.received).toHaveLength(1);
    expect(sent, 'a relayed address without an allocation is an ordinary peer').toHaveBeenCalledTimes(1);
  });

  it('a peer on another IP leaves by the relay socket', async () => {
    const { table, a } = await setup();
    const sent = vi.spyOn(a.allocation.relay, 'send');
    table.toPeer(
      a.allocation,
      { address: '127.0.0.3', port: 9, family: 'IPv4' },
      Buffer.from('x'),
      Date.now(),
    );
    expect(sent).toHaveBeenCalledTimes(1);
  });
});
