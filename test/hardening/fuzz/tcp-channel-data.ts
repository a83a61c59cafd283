import type { TransportAddress } from '../../../src/wire/address.js';
import type { Round } from './campaign.js';
import { BOUND_CHANNEL, channelDataTail, paddedChannelData, tcpChannelData } from './gen-channel-data.js';
import { portFreed } from './port-free.js';
import type { Prng } from './prng.js';
import { WINDOW_MESSAGES } from './probe-round.js';
import { relayRound } from './relay-round.js';
import { type RelaySession, tcpRelaySession } from './relay-session.js';
import type { StreamConn } from './stream-conn.js';
import { CLOSE_TIMEOUT_MS } from './tcp-bad-frames.js';

/** Most well-framed ChannelData frames sent on one connection before its malformed tail. */
const MAX_FRAMES_PER_CONNECTION = 400;

/**
 * Closes a TCP allocation's connection with `tail` then FIN, and checks the server closed it and freed the
 * relay port (the allocation lives as long as its connection, RFC 8656 §5).
 */
export async function closeTcpSession(
  session: RelaySession<StreamConn>,
  tail: Buffer,
  what: string,
): Promise<string[]> {
  const wrong: string[] = [];
  session.client.send(tail);
  session.client.end();
  if (!(await session.client.waitClosed(CLOSE_TIMEOUT_MS)))
    wrong.push(`connection still open after ${what} and FIN`);
  if (!(await portFreed(session.relayed.port, CLOSE_TIMEOUT_MS)))
    wrong.push(
      `relay port ${session.relayed.port} still bound ${CLOSE_TIMEOUT_MS} ms after its connection closed`,
    );
  if (session.client.garbled > 0) wrong.push('the server wrote bytes that are neither STUN nor ChannelData');
  await session.close();
  return wrong;
}

/**
 * ChannelData over TCP (RFC 8656 §12.5), one connection at a time, each with an allocation over TCP and
 * channel 0x4000 bound to its sink peer: 50–400 well-framed frames ({@link tcpChannelData}: valid, unbound
 * channels, empty, up to 65,507 bytes) judged by what the peer receives ({@link relayRound}), then a
 * malformed end ({@link channelDataTail}) and FIN: the server must close the connection and free the relay
 * port.
 */
export function tcpChannelDataRounds(server: TransportAddress, rng: Prng): (max: number) => Promise<Round> {
  let session: RelaySession<StreamConn> | null = null;
  let left = 0;
  return async (max) => {
    if (!session) {
      session = await tcpRelaySession(server);
      left = rng.int(50, MAX_FRAMES_PER_CONNECTION);
    }
    const s = session;
    const probes = Array.from({ length: Math.min(max, left, WINDOW_MESSAGES) }, () => tcpChannelData(rng));
    const frame = (payload: Buffer): Buffer => paddedChannelData(BOUND_CHANNEL, payload);
    const wrong = await relayRound(probes, (b) => s.client.send(b), frame, s.sink);
    await s.client.drained();
    left -= probes.length;
    if (left > 0) return { sent: probes.length, wrong };
    session = null;
    const tail = channelDataTail(rng);
    wrong.push(...(await closeTcpSession(s, tail.bytes, `a ${tail.kind} ChannelData`)));
    return { sent: probes.length + 1, wrong };
  };
}
