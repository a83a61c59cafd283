import type { TransportAddress } from '../../../src/wire/address.js';
import type { Round } from './campaign.js';
import type { Probe } from './expect.js';
import { BOUND_CHANNEL, paddedChannelData, tcpChannelData, udpChannelData } from './gen-channel-data.js';
import { lyingLength, overrunningAttribute, randomDatagram, truncatedHeader } from './gen-malformed.js';
import { framedProbe } from './gen-stream.js';
import type { Prng } from './prng.js';
import { probeRound, WINDOW_MESSAGES } from './probe-round.js';
import { relayRound } from './relay-round.js';
import { type RelaySession, tcpRelaySession, udpRelaySession } from './relay-session.js';
import type { StreamConn } from './stream-conn.js';
import { endWithGarbage } from './tcp-bad-frames.js';
import { closeTcpSession } from './tcp-channel-data.js';
import type { UdpFuzzSocket } from './udp-socket.js';
import { channelDataBytes } from './wire.js';

/** Most malformed messages sent on one allocated 5-tuple. */
const MAX_PER_SESSION = 400;

/**
 * Malformed STUN on an allocated UDP 5-tuple: random bytes (never with ChannelData's first bits, which
 * could hit the bound channel; ChannelData is fuzzed on its own), truncated headers, lying lengths,
 * overrunning attributes.
 */
function udpGarbage(rng: Prng): Probe {
  const p = rng.pick([randomDatagram, truncatedHeader, lyingLength, overrunningAttribute])(rng);
  if (p.bytes.length > 0 && (p.bytes[0]! & 0xc0) === 0x40) p.bytes[0] = p.bytes[0]! | 0x80;
  return p;
}

/**
 * Valid then malformed on the same 5-tuple, alternating UDP and TCP sessions: a real Allocate and
 * ChannelBind (RFC 8656 §7, §12), then 100–400 malformed messages in rounds of malformed STUN (judged as in
 * their own classes) and bad ChannelData (judged by what the peer receives, which proves the allocation
 * still relays). A UDP session ends with Refresh LIFETIME 0, which must succeed (the garbage cost the
 * allocation nothing); a TCP session ends with a garbage tail, then the server must close the connection
 * and free the relay port. The Allocate, ChannelBind and Refresh count as messages too.
 */
export function mixRounds(
  servers: { udp: TransportAddress; tcp: TransportAddress },
  rng: Prng,
): (max: number) => Promise<Round> {
  let udp: RelaySession<UdpFuzzSocket> | null = null;
  let tcp: RelaySession<StreamConn> | null = null;
  let left = 0;
  let useTcp = false;
  return async (max) => {
    let sent = 0;
    if (!udp && !tcp) {
      useTcp = !useTcp;
      if (useTcp) tcp = await tcpRelaySession(servers.tcp);
      else udp = await udpRelaySession(servers.udp);
      left = rng.int(100, MAX_PER_SESSION);
      sent += 2;
    }
    const half = Math.max(1, Math.floor(Math.min(max, left, WINDOW_MESSAGES) / 2));
    const wrong: string[] = [];
    if (udp) {
      const u = udp;
      const r = await probeRound(u.client, () => udpGarbage(rng), half);
      const probes = Array.from({ length: half }, () => udpChannelData(rng));
      const frame = (payload: Buffer): Buffer => channelDataBytes(BOUND_CHANNEL, payload);
      wrong.push(...r.wrong, ...(await relayRound(probes, (b) => u.client.send(b), frame, u.sink)));
      sent += r.sent + half;
      left -= r.sent + half;
      if (left <= 0) {
        udp = null;
        if (!(await u.close())) wrong.push('Refresh LIFETIME 0 refused after the garbage');
        sent++;
      }
    } else if (tcp) {
      const t = tcp;
      const r = await probeRound(t.client, () => framedProbe(rng), half);
      const probes = Array.from({ length: half }, () => tcpChannelData(rng));
      const frame = (payload: Buffer): Buffer => paddedChannelData(BOUND_CHANNEL, payload);
      wrong.push(...r.wrong, ...(await relayRound(probes, (b) => t.client.send(b), frame, t.sink)));
      sent += r.sent + half;
      left -= r.sent + half;
      if (left <= 0) {
        tcp = null;
        wrong.push(...(await endWithGarbage(t.client, rng, true)));
        wrong.push(...(await closeTcpSession(t, Buffer.alloc(0), 'a garbage tail')));
        sent++;
      }
    }
    return { sent, wrong };
  };
}
