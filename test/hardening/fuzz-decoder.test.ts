/**
 * Decoder fuzzing of `ice-doctor serve` (a child process, loopback only): `profile.fuzzMessages` generated
 * datagrams and TCP frames (60,000 short, 1,000,000 long), split across named input classes (shares in
 * fuzz/shares.ts), from seeded generators (HARDENING_FUZZ_SEED overrides the default seed; each row shows
 * its class's seed). Throughout, a legit client keeps relaying through the server (checked ≥ 25 times per
 * class), the server stays up, logs no error, answers what RFC 8489 §6.3 says to answer, and its RSS stays
 * within fuzz/rss-watch.ts's bound of its idle baseline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr, messageType, StunClass, StunMethod } from '../../src/wire/constants.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { echoPeer } from '../support/turn-raw.js';
import { type CampaignResult, type FuzzEnv, runCampaign } from './fuzz/campaign.js';
import { judge, type Probe } from './fuzz/expect.js';
import { BOUND_CHANNEL, udpChannelData } from './fuzz/gen-channel-data.js';
import { integrityFlood } from './fuzz/gen-integrity.js';
import { lyingLength, overrunningAttribute, randomDatagram, truncatedHeader } from './fuzz/gen-malformed.js';
import { tinyDatagram } from './fuzz/gen-tiny.js';
import { unknownAttributes } from './fuzz/gen-unknown.js';
import { mixRounds } from './fuzz/mixes.js';
import { Prng } from './fuzz/prng.js';
import { probeRound, WINDOW_MESSAGES } from './fuzz/probe-round.js';
import { relayRound } from './fuzz/relay-round.js';
import { type RelaySession, udpRelaySession } from './fuzz/relay-session.js';
import { RssWatch } from './fuzz/rss-watch.js';
import { countOf, type SHARES } from './fuzz/shares.js';
import { SinkPeer } from './fuzz/sink-peer.js';
import { tcpBadFrameRounds } from './fuzz/tcp-bad-frames.js';
import { tcpChannelDataRounds } from './fuzz/tcp-channel-data.js';
import { MidFrameCampaign } from './fuzz/tcp-mid-frame.js';
import { relayedCollector, type TinyParts, tinyRound } from './fuzz/tiny-round.js';
import { udpDrops } from './fuzz/udp-drops.js';
import { UdpFuzzSocket } from './fuzz/udp-socket.js';
import { attribute, channelDataBytes, stunMessage, xorAddressValue } from './fuzz/wire.js';
import { LegitClient } from './legit-client.js';
import { profile } from './profile.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

/** Seed of the first class; class n uses SEED + n. */
const SEED = Number(process.env.HARDENING_FUZZ_SEED ?? 0x1ced0c);
/** Relay ports above the kernel's ephemeral range (32768–60999), apart from the other hardening files'. */
const RELAY_PORTS = '61000-61999';

let server: ServerProcess;
let env: FuzzEnv;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  // Up to 200 mid-frame connections stay idle at once, all from 127.0.0.1: above the per-client share of
  // the connection budget (100), which fd-exhaustion-turn.test.ts tests; here the decoder is under test.
  server = await startServerProcess(['--relay-ports', RELAY_PORTS, '--max-connections-per-ip', '1000']);
  const echo = await echoPeer();
  const legit = await LegitClient.open(server.udp, echo.address);
  closers.push(
    () => legit.close(),
    () => echo.close(),
  );
  await legit.check();
  env = { server, legit, rss: new RssWatch(server) };
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await server?.stop('SIGKILL');
});

/** Opens a UDP fuzzing socket towards the server, closed after the file. */
async function udpSocket(): Promise<UdpFuzzSocket> {
  const s = await UdpFuzzSocket.open(server.udp);
  closers.push(() => s.close());
  return s;
}

/** Records the row, then asserts every part of it. */
function expectClean(task: Parameters<typeof record>[0], r: CampaignResult): void {
  record(task, r.row);
  expect(r.wrong).toEqual([]);
  expect(r.errorLogs).toEqual([]);
  expect(r.legitFailures).toBe(0);
  expect(r.legitChecks).toBeGreaterThanOrEqual(20);
  expect(r.alive).toBe(true);
  expect(env.rss.maxBytes).toBeLessThan(env.rss.boundBytes);
  expect(r.row.failures).toBe(0);
}

/** A plain UDP class: probes from `generate` over one fresh socket without an allocation. */
async function udpClass(
  check: string,
  share: keyof typeof SHARES,
  seedOffset: number,
  generate: (rng: Prng) => Probe,
): Promise<CampaignResult> {
  const socket = await udpSocket();
  const rng = new Prng(SEED + seedOffset);
  const dropsBefore = udpDrops(server.udp.port);
  return runCampaign(env, {
    check,
    count: countOf(share),
    seed: rng.seed,
    round: (max) => probeRound(socket, () => generate(rng), max),
    note: () => `kernel drops ${udpDrops(server.udp.port) - dropsBefore}`,
  });
}

/** A UDP client with an allocation and a channel to its sink peer, closed after the file. */
async function udpSession(): Promise<RelaySession<UdpFuzzSocket>> {
  const s = await udpRelaySession(server.udp);
  closers.push(() => s.close());
  return s;
}

/** A sink peer on `ip`, closed after the file. */
async function sinkPeer(ip?: string): Promise<SinkPeer> {
  const p = await SinkPeer.open(ip);
  closers.push(() => p.close());
  return p;
}

describe('decoder fuzzing', { timeout: profile.testTimeoutMs }, () => {
  it('UDP random bytes', async ({ task }) => {
    expectClean(task, await udpClass('UDP random bytes', 'udpRandom', 1, randomDatagram));
  });

  it('UDP truncated headers (0–19 bytes, STUN first bits)', async ({ task }) => {
    expectClean(task, await udpClass('UDP truncated headers', 'udpTruncated', 2, truncatedHeader));
  });

  it('UDP header lengths that lie', async ({ task }) => {
    expectClean(task, await udpClass('UDP lengths that lie', 'udpLyingLength', 3, lyingLength));
  });

  it('UDP attributes that overrun the message', async ({ task }) => {
    expectClean(task, await udpClass('UDP attributes that overrun', 'udpOverrun', 4, overrunningAttribute));
  });

  it('UDP hundreds of FINGERPRINT / MESSAGE-INTEGRITY(-SHA256) attributes, also in signed requests', async ({
    task,
  }) => {
    const session = await udpSession();
    const rng = new Prng(SEED + 5);
    const target = { signer: session.signer, peer: session.sink.address };
    const result = await runCampaign(env, {
      check: 'UDP hundreds of FINGERPRINT / MI attributes',
      count: countOf('udpIntegrityFlood'),
      seed: rng.seed,
      round: (max) => probeRound(session.client, () => integrityFlood(rng, target), max),
    });
    expectClean(task, result);
  });

  it('UDP unknown comprehension-required attributes: 420 with UNKNOWN-ATTRIBUTES', async ({ task }) => {
    const session = await udpSession();
    const rng = new Prng(SEED + 6);
    const target = { signer: session.signer, peer: session.sink.address };
    const result = await runCampaign(env, {
      check: 'UDP unknown comprehension-required attributes',
      count: countOf('udpUnknownRequired'),
      seed: rng.seed,
      round: (max) => probeRound(session.client, () => unknownAttributes(rng, target), max),
    });
    expectClean(task, result);
  });

  it('0–3-byte datagrams to the relay port of a live allocation and to the server port', async ({ task }) => {
    const session = await udpSession();
    const parts: TinyParts = {
      session,
      permitted: await sinkPeer('127.0.0.1'),
      stranger: await sinkPeer('127.0.0.3'),
      fresh: await udpSocket(),
    };
    const relayed = relayedCollector(session.client);
    const rng = new Prng(SEED + 7);
    const result = await runCampaign(env, {
      check: '0–3-byte datagrams (relay and server ports)',
      count: countOf('tinyDatagrams'),
      seed: rng.seed,
      round: (max) => tinyRound(parts, relayed, () => tinyDatagram(rng), max),
    });
    expectClean(task, result);
  });

  it('UDP ChannelData with bad lengths and channel numbers', async ({ task }) => {
    const session = await udpSession();
    const rng = new Prng(SEED + 8);
    const frame = (payload: Buffer): Buffer => channelDataBytes(BOUND_CHANNEL, payload);
    const result = await runCampaign(env, {
      check: 'UDP ChannelData with bad lengths',
      count: countOf('udpChannelData'),
      seed: rng.seed,
      async round(max) {
        const probes = Array.from({ length: Math.min(max, WINDOW_MESSAGES) }, () => udpChannelData(rng));
        const wrong = await relayRound(probes, (b) => session.client.send(b), frame, session.sink);
        const answered = session.client.takeReplies().size;
        if (answered > 0) wrong.push(`${answered} ChannelData-shaped datagrams answered`);
        return { sent: probes.length, wrong };
      },
    });
    expectClean(task, result);
  });

  it('TCP ChannelData with bad lengths, unpadded frames and channels outside 0x4000–0x7FFF', async ({
    task,
  }) => {
    const rng = new Prng(SEED + 9);
    const result = await runCampaign(env, {
      check: 'TCP ChannelData with bad lengths',
      count: countOf('tcpChannelData'),
      seed: rng.seed,
      round: tcpChannelDataRounds(server.tcp, rng),
    });
    expectClean(task, result);
  });

  it('TCP random bytes and bad frames', async ({ task }) => {
    const rng = new Prng(SEED + 10);
    const result = await runCampaign(env, {
      check: 'TCP random bytes and bad frames',
      count: countOf('tcpBadFrames'),
      seed: rng.seed,
      round: tcpBadFrameRounds(server.tcp, rng),
    });
    expectClean(task, result);
  });

  it('TCP streams that stop mid-frame (FIN, reset, idle): idle ones timed out, descriptors back', async ({
    task,
  }) => {
    const rng = new Prng(SEED + 11);
    const mid = new MidFrameCampaign(server, server.tcp, rng);
    const result = await runCampaign(env, {
      check: 'TCP streams that stop mid-frame',
      count: countOf('tcpMidFrame'),
      seed: rng.seed,
      round: (max) => mid.round(max),
      finish: () => mid.finish(env),
      note: () => mid.note(),
    });
    expectClean(task, result);
  });

  it('valid then malformed on the same 5-tuple (UDP and TCP allocations)', async ({ task }) => {
    const rng = new Prng(SEED + 12);
    const result = await runCampaign(env, {
      check: 'valid-then-malformed mixes',
      count: countOf('validThenMalformed'),
      seed: rng.seed,
      round: mixRounds(server, rng),
    });
    expectClean(task, result);
  });
});

/**
 * RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are outside the HMAC, so anyone on the path can append
 * them to a user's signed request; the server must ignore them. Found by the fuzz (an appended unknown
 * attribute was answered 420, an appended XOR-PEER-ADDRESS installed a permission, an appended LIFETIME 0
 * deleted the allocation); fixed in auth.ts / turn-engine.ts (`integrityCovered`).
 */
describe('attributes after MESSAGE-INTEGRITY are ignored (RFC 8489 §14.5)', () => {
  let session: RelaySession<UdpFuzzSocket>;
  let stranger: SinkPeer;

  beforeAll(async () => {
    session = await udpSession();
    stranger = await sinkPeer('127.0.0.9');
  });

  const createPermission = (tid: Buffer, trailer: Buffer[]): Buffer =>
    session.signer.signWithTrailer(
      StunMethod.createPermission,
      [{ type: Attr.XOR_PEER_ADDRESS, address: session.sink.address }],
      tid,
      trailer,
    );

  it('an unknown comprehension-required attribute appended after it gets no 420', async () => {
    const answer = await session.client.exchange(
      createPermission(newTransactionId(), [attribute(0x7777, Buffer.alloc(4))]),
    );
    expect(answer && judge({ kind: 'success' }, answer)).toBeNull();
  });

  it('an XOR-PEER-ADDRESS appended after it installs no permission', async () => {
    const tid = newTransactionId();
    const appended = attribute(Attr.XOR_PEER_ADDRESS, xorAddressValue(stranger.address, tid));
    expect(await session.client.exchange(createPermission(tid, [appended]))).not.toBeNull();
    const relayed: Buffer[] = [];
    session.client.onOther = (b) => relayed.push(b);
    stranger.send(Buffer.from('from a peer nobody permitted'), session.relayed);
    await session.client.exchange(createPermission(newTransactionId(), []));
    await new Promise((r) => setTimeout(r, 200));
    expect(relayed).toEqual([]);
  });

  it('a LIFETIME 0 appended after it does not delete the allocation', async () => {
    const refresh = session.signer.signWithTrailer(StunMethod.refresh, [], newTransactionId(), [
      attribute(Attr.LIFETIME, Buffer.alloc(4)),
    ]);
    expect(await session.client.exchange(refresh)).not.toBeNull();
    const answer = await session.client.exchange(createPermission(newTransactionId(), []));
    expect(answer && judge({ kind: 'success' }, answer)).toBeNull();
  });
});

/**
 * Send indications with a comprehension-required attribute the server does not honour are discarded (a bug
 * the fuzz found: they were relayed).
 */
describe('Send indications the server cannot honour', () => {
  let session: RelaySession<UdpFuzzSocket>;

  beforeAll(async () => {
    session = await udpSession();
  });

  it('a Send indication with an unknown comprehension-required attribute or DONT-FRAGMENT is discarded (RFC 8489 §6.3.2, RFC 8656 §11.2)', async () => {
    const send = (tid: Buffer, data: string, extra: Buffer[]): Buffer =>
      stunMessage(
        messageType(StunMethod.send, StunClass.indication),
        tid,
        Buffer.concat([
          attribute(Attr.XOR_PEER_ADDRESS, xorAddressValue(session.sink.address, tid)),
          attribute(Attr.DATA, Buffer.from(data)),
          ...extra,
        ]),
      );
    session.client.send(send(newTransactionId(), 'unknown-attribute', [attribute(0x7777, Buffer.alloc(4))]));
    session.client.send(
      send(newTransactionId(), 'dont-fragment', [attribute(Attr.DONT_FRAGMENT, Buffer.alloc(0))]),
    );
    session.client.send(send(newTransactionId(), 'sync', []));
    expect(await session.sink.waitFor((b) => b.toString() === 'sync')).toBe(true);
    expect(session.sink.take().map(String)).toEqual(['sync']);
  });
});
