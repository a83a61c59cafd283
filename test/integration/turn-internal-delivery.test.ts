/**
 * Internal delivery in the bundled TURN server, on loopback, where the advertised relayed address
 * (`--external-ip 127.0.0.2`) does not reach the relay sockets (bound to 127.0.0.1), as behind a NAT that
 * does not hairpin: turn-check relays between its two allocations over UDP, TCP and TLS (before internal
 * delivery: relay-no-data on each), counted in the metrics; and a receiver without a permission for the
 * sender's relayed IP gets nothing (RFC 8656 §9).
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTurnCredentials } from '../../src/cli/config/turn-check-credentials.js';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { turnCheckReportSchema } from '../../src/report/schema.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { Attr, StunMethod } from '../../src/wire/constants.js';
import { decodeMessage, findAttribute, getAddress, type StunMessage } from '../../src/wire/message.js';
import { RawTurnClient } from '../support/turn-raw.js';

const ALICE = { username: 'alice', password: 'wonderland' };
const EXTERNAL = '127.0.0.2';

const isData = (b: Buffer): boolean => (b[0]! & 0xc0) === 0 && decodeMessage(b).method === StunMethod.data;
const peerAttr = (address: string, port: number) => ({
  type: Attr.XOR_PEER_ADDRESS,
  address: { address, port },
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a datagram sent to `to`:`port` reaches a socket bound to 127.0.0.1:`port` (it must not). */
async function reachesLoopbackOne(to: string): Promise<boolean> {
  const listener = dgram.createSocket('udp4');
  const sender = dgram.createSocket('udp4');
  try {
    await new Promise<void>((done) => listener.bind(0, '127.0.0.1', done));
    let got = false;
    listener.on('message', () => {
      got = true;
    });
    sender.on('error', () => undefined);
    for (let i = 0; i < 3; i++) sender.send('x', listener.address().port, to);
    await pause(300);
    return got;
  } finally {
    listener.close();
    sender.close();
  }
}

async function metric(s: RunningTurnServer, name: string): Promise<number> {
  const text = await (await fetch(s.metricsUrl!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

describe('internal delivery: relayed address advertised as an external IP that does not reach the relay', () => {
  let s: RunningTurnServer;
  beforeAll(async () => {
    const base = 52_000 + Math.floor(Math.random() * 80) * 100;
    s = await startTurnServer({
      addresses: ['127.0.0.1'],
      port: 0,
      turn: parseTurnFlags(
        {
          user: ['alice:wonderland'],
          externalIp: EXTERNAL,
          relayPorts: `${base}-${base + 99}`,
          metricsPort: '0',
        },
        ['127.0.0.1'],
        true,
      ),
    });
  });
  afterAll(() => s?.close());

  it('the setting is real: a datagram to 127.0.0.2 does not reach a socket bound to 127.0.0.1', async () => {
    expect(await reachesLoopbackOne('127.0.0.1'), 'control: the same send to 127.0.0.1 arrives').toBe(true);
    expect(await reachesLoopbackOne(EXTERNAL)).toBe(false);
  });

  it('turn-check relays both ways over UDP, TCP and TLS (before: relay-no-data), counted as internal', async () => {
    const before = await metric(s, 'ice_doctor_turn_internal_delivered_packets_total');
    const at = (port: number | undefined) => `127.0.0.1:${port}`;
    const report = turnCheckReportSchema.parse(
      await runTurnCheck({
        targets: parseTurnTargets([
          `turn:${at(s.turnUdp[0]?.port)}?transport=udp`,
          `turn:${at(s.turnTcp[0]?.port)}?transport=tcp`,
          `turns:${at(s.turnTls[0]?.port)}`,
        ]),
        credentials: resolveTurnCredentials({ user: 'alice', password: 'wonderland' }),
        insecure: true,
        timeoutMs: 8000,
      }),
    );
    for (const t of report.targets) {
      expect(t.relayedAddress?.address).toBe(EXTERNAL);
      const codes = t.diagnoses.map((d) => d.code);
      expect(codes, t.url).not.toContain('relay-no-data');
      expect(codes, t.url).not.toContain('no-channel-data');
      expect(t.steps.filter((x) => x.status !== 'ok' && x.status !== 'skipped')).toEqual([]);
    }
    await pause(50);
    expect(await metric(s, 'ice_doctor_turn_internal_delivered_packets_total')).toBeGreaterThanOrEqual(
      before + 12,
    );
  }, 30_000);

  it('delivers only under the receiver’s permission for the sender’s relayed IP', async () => {
    const a = await RawTurnClient.udp(s.turnUdp[0]!);
    const b = await RawTurnClient.udp(s.turnUdp[0]!);
    try {
      const relayedOf = (m: StunMessage) => getAddress(m, Attr.XOR_RELAYED_ADDRESS)!;
      const ra = relayedOf(await a.allocate(ALICE));
      const rb = relayedOf(await b.allocate(ALICE));
      expect([ra.address, rb.address]).toEqual([EXTERNAL, EXTERNAL]);
      await a.signed(StunMethod.createPermission, [peerAttr(EXTERNAL, rb.port)], ALICE);
      await b.signed(StunMethod.createPermission, [peerAttr('127.0.0.9', 9)], ALICE);

      a.sendIndication(EXTERNAL, rb.port, Buffer.from('no permission'));
      await pause(300);
      expect(b.received.filter(isData)).toEqual([]);

      await b.signed(StunMethod.createPermission, [peerAttr(EXTERNAL, 1)], ALICE);
      a.sendIndication(EXTERNAL, rb.port, Buffer.from('permitted'));
      const data = decodeMessage(await b.waitFor(isData));
      expect(findAttribute(data, Attr.DATA)?.value.toString()).toBe('permitted');
      expect(getAddress(data, Attr.XOR_PEER_ADDRESS)).toEqual(ra);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
