import type { RelayQuality } from '../../report/turn-quality-schema.js';
import type { Transport } from '../../wire/address.js';
import { type Finding, warn } from './judged.js';

/** Lost echoes above this share (%) are worth a warning: media over 5 % loss audibly breaks up. */
export const LOSS_WARN_PERCENT = 5;
/**
 * Median echo RTT above this (ms) is worth a warning. One echo is two round trips between this host and the
 * server, so 400 ms means ~200 ms per round trip: relaying a call through it adds ~200 ms of one-way delay
 * on top of the callers' own paths, past ITU-T G.114's 150 ms comfort limit for the whole mouth-to-ear delay.
 */
export const RTT_WARN_MS = 400;
/** Jitter above this (ms) is worth a warning: more than a typical 20–30 ms audio jitter buffer absorbs. */
export const JITTER_WARN_MS = 30;
/**
 * The smallest payload (bytes) a WebRTC path must carry: libwebrtc sends RTP packets up to 1200 bytes and
 * DTLS handshake flights fragmented to about that size; a path that loses datagrams of this size carries
 * audio (small packets) but not video or a DTLS handshake with a large certificate.
 */
export const SMALLEST_GOOD_DATAGRAM = 1200;
/** Above this loss (%) a missing size echo may be plain loss, so no size verdict is given. */
const SIZES_UNJUDGED_LOSS_PERCENT = 50;

const PATH_WORDS: Readonly<Record<Transport, string>> = {
  udp:
    'Each echo crosses the path between this host and the server four times, so a one-way loss of about ' +
    '{oneWay} % per crossing gives this; the loss is on that path or in the server.',
  tcp:
    'Over TCP the legs between this host and the server retransmit, so the loss is on the server’s relay ' +
    'legs (UDP between its relay ports): it drops relayed packets — overload, a per-allocation bandwidth ' +
    'cap (coturn max-bps, ice-doctor --bandwidth) or full socket buffers.',
  tls:
    'Over TLS the legs between this host and the server retransmit, so the loss is on the server’s relay ' +
    'legs (UDP between its relay ports): it drops relayed packets — overload, a per-allocation bandwidth ' +
    'cap (coturn max-bps, ice-doctor --bandwidth) or full socket buffers.',
};

/** Loss per crossing (%) that makes `lossPercent` over four independent crossings. */
function oneWayPercent(lossPercent: number): number {
  return Math.round((1 - (1 - lossPercent / 100) ** 0.25) * 1000) / 10;
}

/** True when the lost sizes of `sizes` (ascending) follow one another with no size that came back between. */
function oneBand(sizes: RelayQuality['datagramSizes']): boolean {
  const lost = sizes.flatMap((s, i) => (s.ok ? [] : [i]));
  return lost.length === 0 || lost.at(-1)! - lost[0]! + 1 === lost.length;
}

function lossFinding(q: RelayQuality, transport: Transport): Finding | null {
  if (q.lossPercent === null || q.lossPercent <= LOSS_WARN_PERCENT) return null;
  const lost = `${q.sent - q.received} of ${q.sent}`;
  const where = PATH_WORDS[transport].replace('{oneWay}', String(oneWayPercent(q.lossPercent)));
  const none =
    q.received === 0
      ? ' No echo came back at all, though ChannelData had crossed the relay both ways just before.'
      : '';
  return warn(
    'relay-loss-high',
    `${q.lossPercent} % of the echoes through the relay were lost (${lost}, over ${transport.toUpperCase()}).${none} ` +
      `${where} Calls relayed here break up above ${LOSS_WARN_PERCENT} % loss.`,
  );
}

function rttFinding(q: RelayQuality): Finding | null {
  if (!q.rttMs || q.rttMs.p50 <= RTT_WARN_MS) return null;
  return warn(
    'relay-rtt-high',
    `The median echo through the relay took ${q.rttMs.p50} ms (p90 ${q.rttMs.p90} ms; one echo is two round ` +
      `trips to the server). Over ${RTT_WARN_MS} ms the relay adds noticeable delay to calls: use a TURN ` +
      'server closer to the users.',
  );
}

function jitterFinding(q: RelayQuality): Finding | null {
  if (q.jitterMs === null || q.jitterMs <= JITTER_WARN_MS) return null;
  return warn(
    'relay-jitter-high',
    `The echo RTT through the relay varies by ${q.jitterMs} ms from one probe to the next (jitter over ` +
      `${JITTER_WARN_MS} ms): audio through it needs a deep jitter buffer or stutters. Look for a congested ` +
      'link or an overloaded server (over TCP/TLS, retransmissions show up here too).',
  );
}

/**
 * The `relay-datagram-black-hole` warning: sizes of at least {@link SMALLEST_GOOD_DATAGRAM} bytes did not
 * come back while smaller ones did (or none of the sizes did while stream probes did). Not given when the
 * stream lost over half its echoes (a missing size may be plain loss), when nothing came back at all, or
 * when only one size above the largest was lost (one unlucky size among ones that came back is loss, not a
 * black hole), or when the lost sizes are not one band (a size that came back between two lost ones: an MTU
 * loses every size from the path's limit up to this host's own, so scattered losses are loss — a
 * per-allocation bandwidth cap — not a black hole).
 */
function sizeFinding(q: RelayQuality, transport: Transport): Finding | null {
  if (q.datagramSizes.length === 0 || q.received === 0) return null;
  if (q.lossPercent === null || q.lossPercent > SIZES_UNJUDGED_LOSS_PERCENT) return null;
  const largest = q.maxDatagramBytes;
  if (largest !== null && largest >= SMALLEST_GOOD_DATAGRAM) return null;
  const above = q.datagramSizes.filter((s) => largest === null || s.bytes > largest);
  const lost = above.filter((s) => !s.ok);
  if (lost.length < 2 || !oneBand(above)) return null;
  const survived =
    largest === null
      ? `no datagram of ${q.datagramSizes[0]!.bytes} bytes or more came back`
      : `the largest datagram that came back through the relay was ${largest} bytes; ${lost[0]!.bytes} bytes was lost`;
  const back = above.filter((s) => s.ok).map((s) => s.bytes);
  const fragmented =
    back.length > 0
      ? ` (${back.join(', ')} bytes came back: datagrams over this host's own link MTU are fragmented by this host and pass, those between the two MTUs are sent whole and vanish)`
      : '';
  const fix =
    transport === 'udp'
      ? 'lower the MTU on the tunnel/VPN/PPPoE link or let ICMP "fragmentation needed" through, or use TURN over TCP/TLS'
      : "over TCP/TLS the legs to the server carry any size, so the server's relay drops these datagrams itself (its own size limit, or the MTU and ICMP filtering of the relay host's network)";
  return warn(
    'relay-datagram-black-hole',
    `Datagram size black hole: ${survived}${fragmented}. Audio (small packets) works, but video and DTLS ` +
      `handshakes with large certificates may be lost: ${fix}.`,
  );
}

/**
 * Judges one measured relay quality (pure): warnings only, none of them fails the check — loss over
 * {@link LOSS_WARN_PERCENT} %, median RTT over {@link RTT_WARN_MS} ms, jitter over {@link JITTER_WARN_MS} ms,
 * and a datagram size black hole below {@link SMALLEST_GOOD_DATAGRAM} bytes. A measure that did not run
 * (`sent` 0) gives nothing: its `reason` says why. A measure the deadline cut short (`cutShort`) gives no
 * loss or size warning: what was still in flight is unknown, not lost.
 */
export function judgeQuality(q: RelayQuality, transport: Transport): Finding[] {
  if (q.sent === 0) return [];
  const whole = q.cutShort !== true;
  return [
    whole ? lossFinding(q, transport) : null,
    rttFinding(q),
    jitterFinding(q),
    whole ? sizeFinding(q, transport) : null,
  ].filter((f): f is Finding => f !== null);
}
