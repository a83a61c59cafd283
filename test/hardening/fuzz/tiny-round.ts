import type { TransportAddress } from '../../../src/wire/address.js';
import { buildMessage } from '../../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { decodeMessage, findAttribute, getAddress } from '../../../src/wire/message.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import type { Round } from './campaign.js';
import { Condition } from './condition.js';
import { BOUND_CHANNEL } from './gen-channel-data.js';
import type { TinyDatagram, TinySender } from './gen-tiny.js';
import { WINDOW_MESSAGES } from './probe-round.js';
import type { RelaySession } from './relay-session.js';
import type { SinkPeer } from './sink-peer.js';
import type { UdpFuzzSocket } from './udp-socket.js';

/** How long relayed tiny datagrams may take to reach the client, in ms. */
const RELAY_TIMEOUT_MS = 2_000;

/** The sockets of the tiny-datagram class: a client with an allocation, its peers, a client without one. */
export interface TinyParts {
  session: RelaySession<UdpFuzzSocket>;
  /** On the permitted IP (127.0.0.1), no channel: its datagrams come to the client as Data indications. */
  permitted: SinkPeer;
  /** On 127.0.0.3, which has no permission: its datagrams are discarded. */
  stranger: SinkPeer;
  /** A socket without an allocation. */
  fresh: UdpFuzzSocket;
}

/**
 * What reached the client from the relay, as `cd:<hex>` (ChannelData on the bound channel) or
 * `di:<peer port>:<hex>` (Data indication), or a description of a malformed message.
 */
function describeRelayed(b: Buffer): string {
  if ((b[0]! & 0xc0) === 0x40) {
    const channel = b.readUInt16BE(0);
    const length = b.readUInt16BE(2);
    if (channel !== BOUND_CHANNEL || b.length < 4 + length) return `bad ChannelData ${b.toString('hex')}`;
    return `cd:${b.subarray(4, 4 + length).toString('hex')}`;
  }
  try {
    const m = decodeMessage(b);
    const data = findAttribute(m, Attr.DATA)?.value;
    const peer = getAddress(m, Attr.XOR_PEER_ADDRESS);
    if (m.method !== StunMethod.data || !data || !peer) return `bad Data indication ${b.toString('hex')}`;
    return `di:${peer.port}:${data.toString('hex')}`;
  } catch {
    return `undecodable ${b.toString('hex')}`;
  }
}

/** Collects what the relay sends the session's client. */
export function relayedCollector(client: UdpFuzzSocket): { got: string[]; arrived: Condition } {
  const got: string[] = [];
  const arrived = new Condition();
  client.onOther = (b) => {
    got.push(describeRelayed(b));
    arrived.poke();
  };
  return { got, arrived };
}

function ping(): Buffer {
  return buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: newTransactionId(),
  });
}

/**
 * One round of 0–3-byte datagrams (at most `max`, one window): each from its sender (see {@link TinySender});
 * then waits until the client got as many relayed messages as the peers with a permission sent, and for the
 * answers to a Binding request from the client and from the fresh socket (so the server has read their
 * tiny datagrams). The client must have got exactly the relayed ChannelData and Data indications (as a
 * multiset: the peers' datagrams may interleave), and no response to any tiny datagram.
 */
export async function tinyRound(
  parts: TinyParts,
  relayed: { got: string[]; arrived: Condition },
  next: () => TinyDatagram,
  max: number,
): Promise<Round> {
  const { session, permitted, stranger, fresh } = parts;
  const to: TransportAddress = session.relayed;
  const expected: string[] = [];
  relayed.got.length = 0;
  const n = Math.min(max, WINDOW_MESSAGES);
  const senders: Record<TinySender, (b: Buffer) => void> = {
    'channel-peer': (b) => {
      session.sink.send(b, to);
      expected.push(`cd:${b.toString('hex')}`);
    },
    'permitted-peer': (b) => {
      permitted.send(b, to);
      expected.push(`di:${permitted.address.port}:${b.toString('hex')}`);
    },
    stranger: (b) => stranger.send(b, to),
    client: (b) => session.client.send(b),
    fresh: (b) => fresh.send(b),
  };
  for (let i = 0; i < n; i++) {
    const d = next();
    senders[d.from](d.bytes);
  }
  const wrong: string[] = [];
  if (!(await relayed.arrived.wait(() => relayed.got.length >= expected.length, RELAY_TIMEOUT_MS)))
    wrong.push(
      `client got ${relayed.got.length} relayed messages within ${RELAY_TIMEOUT_MS} ms, expected ${expected.length}`,
    );
  const [a, b] = await Promise.all([session.client.exchange(ping()), fresh.exchange(ping())]);
  if (!a || !b) wrong.push('Binding request after tiny datagrams unanswered');
  const answered = session.client.takeReplies().size + fresh.takeReplies().size;
  if (answered > 0) wrong.push(`${answered} tiny datagrams answered`);
  const got = [...relayed.got].sort();
  expected.sort();
  if (got.join() !== expected.join()) {
    const extra = got.filter((g) => !expected.includes(g));
    wrong.push(
      `relayed ${got.length}, expected ${expected.length}${extra.length ? `; unexpected ${extra.slice(0, 2).join(', ')}` : ''}`,
    );
  }
  return { sent: n, wrong };
}
