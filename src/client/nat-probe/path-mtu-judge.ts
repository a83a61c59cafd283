import type { PathMtu } from '../../report/path-mtu-schema.js';
import { largestContiguous } from '../turn-check/quality-summary.js';

/** IP + UDP header bytes of a datagram (RFC 791: 20, RFC 8200: 40; RFC 768: 8). */
export const DATAGRAM_HEADER_BYTES = { IPv4: 28, IPv6: 48 } as const;

/**
 * UDP payload WebRTC needs a path to carry (bytes): libwebrtc sends RTP packets and DTLS handshake
 * fragments of up to about 1200 bytes (the same threshold as turn-check's `SMALLEST_GOOD_DATAGRAM`).
 */
export const WEBRTC_PAYLOAD_BYTES = 1200;

/** The largest IP datagram size searched (bytes): the Ethernet MTU. */
export const LARGEST_SIZE_BYTES = 1500;

/** One padded Binding request as observed (sizes are whole IP datagram bytes). */
export interface SizeObservation {
  bytes: number;
  /** True: an answer came back; false: every retransmission went unanswered; null: unknown (deadline, socket error). */
  answered: boolean | null;
  /** Size of the answer as an IP datagram (bytes), null without one. */
  responseBytes: number | null;
}

/**
 * The check of a lost band before it is called an MTU: a plain (unpadded) Binding request sent alone as a
 * control, then, once it is answered, the smallest lost size sent alone (no burst around either).
 */
export interface LossConfirmation {
  /** The size re-sent alone (IP datagram bytes): the smallest size lost in the rounds. */
  bytes: number;
  /** The control was answered: true / false (every copy lost) / null (deadline, socket error). */
  controlAnswered: boolean | null;
  /** The size sent alone was answered: true / false / null (unknown, or not sent as the control failed). */
  answered: boolean | null;
}

/**
 * What the path MTU measure saw: the server asked (null when none answered), every size tried, and the
 * confirmation of a lost band (absent or null when none was sent).
 */
export interface PathMtuObservation {
  server: string | null;
  family: 'IPv4' | 'IPv6';
  sizes: SizeObservation[];
  confirmation?: LossConfirmation | null;
}

/** The words for a measure that judged no size. */
const UNKNOWN_MEANING = 'The largest datagram this path carries is unknown.';

function unjudged(o: PathMtuObservation, known: SizeObservation[], reason: string): PathMtu {
  return {
    method: 'stun-padding',
    server: o.server,
    largestDatagramBytes: null,
    smallestLostBytes: null,
    direction: null,
    probes: known.map(probeRow),
    meaning: UNKNOWN_MEANING,
    reason,
  };
}

function probeRow(s: SizeObservation): PathMtu['probes'][number] {
  return { bytes: s.bytes, answered: s.answered === true, responseBytes: s.responseBytes };
}

/** The plain words of a judged measure (`largest` and `lost` in IP datagram bytes). */
function meaningOf(
  largest: number,
  lost: number | null,
  family: PathMtuObservation['family'],
  both: boolean,
): string {
  const back = both ? 'reach the server and come back' : 'reach the server';
  const oneWay = both
    ? ''
    : ' Only the way to the server is measured: the server did not pad its answers to the size of the requests (RFC 5780 §7.6).';
  if (lost === null)
    return `Datagrams up to ${largest} bytes (the Ethernet MTU) ${back}: no MTU problem for calls.${oneWay}`;
  const webrtc = WEBRTC_PAYLOAD_BYTES + DATAGRAM_HEADER_BYTES[family];
  const hole = `datagrams of ${lost} bytes and more are lost without an ICMP error: an MTU black hole, as behind a tunnel, VPN or PPPoE link whose ICMP "fragmentation needed" is filtered`;
  if (largest >= webrtc)
    return (
      `Datagrams up to ${largest} bytes ${back}, but ${hole}. WebRTC's packets (about ${WEBRTC_PAYLOAD_BYTES} bytes of ` +
      `UDP payload, ${webrtc}-byte datagrams) fit, so calls work; applications that send full-size datagrams lose them.${oneWay}`
    );
  return (
    `Only datagrams up to ${largest} bytes ${back}; ${hole}. Audio (small packets) works, but DTLS handshakes with ` +
    `large certificates and video packets (WebRTC sends datagrams of about ${webrtc} bytes) may be lost: lower the ` +
    `MTU of that link, let ICMP "fragmentation needed" through, or use TURN over TCP/TLS.${oneWay}`
  );
}

/**
 * Why the lost sizes of `known` (ascending) are not an MTU, or null when they can be: an MTU loses every size
 * from the path's limit up to the largest size tried, so the lost sizes must be one band that reaches the
 * largest size. A band below larger sizes that came back is loss (a rate limit, an unlucky size) — or this
 * host fragmenting the larger sizes over its own link MTU, which the measure cannot tell apart: unknown.
 */
function notAnMtu(known: SizeObservation[]): string | null {
  const lost = known.flatMap((s, i) => (s.answered ? [] : [i]));
  if (lost.length === 0) return null;
  const first = lost[0]!;
  const last = lost.at(-1)!;
  const sizes = `lost: ${lost.map((i) => known[i]!.bytes).join(', ')} bytes`;
  if (last - first + 1 !== lost.length)
    return `sizes were lost out of order (${sizes}, with larger ones between that came back): that is loss — a rate limit, congestion — not an MTU`;
  if (last < known.length - 1)
    return `the lost sizes (${sizes}) are a band below larger sizes that came back (up to ${known.at(-1)!.bytes} bytes), where an MTU loses every size above its limit: that is loss — a rate limit, congestion — or this host fragmenting the larger sizes over its own link MTU, not a measured MTU`;
  return null;
}

/**
 * The size to re-send alone before a lost band may be called an MTU (bytes): the smallest lost size when the
 * sizes of `sizes` that are known form a lost band reaching the largest size tried above at least one size
 * that came back; null when there is nothing to confirm (no loss, loss that is not an MTU, nothing answered).
 */
export function bandToConfirm(sizes: readonly SizeObservation[]): number | null {
  const known = sizes.filter((s) => s.answered !== null).sort((x, y) => x.bytes - y.bytes);
  if (known.length < sizes.length || notAnMtu(known) !== null) return null;
  const lost = known.find((s) => s.answered === false);
  return lost && known[0]!.answered === true ? lost.bytes : null;
}

/**
 * Why the lost band starting at `lost` bytes is not confirmed as an MTU by `c`, or null when it is: the
 * control was answered and the size sent alone was lost.
 */
function unconfirmed(lost: number, c: LossConfirmation | null | undefined): string | null {
  if (!c || c.bytes !== lost)
    return `the lost band from ${lost} bytes was not re-sent alone, so rate limiting cannot be ruled out`;
  if (c.controlAnswered !== true)
    return `a plain Binding request sent alone as a control after the lost band from ${lost} bytes went unanswered too: the server or path lost everything then, not only large datagrams`;
  if (c.answered === true)
    return `losses look like rate limiting, not an MTU: ${lost} bytes were lost in the bursts of sizes but came back when sent alone`;
  if (c.answered === null)
    return `the probe’s deadline (or a socket error) ended the re-send of ${lost} bytes alone: the lost band is not confirmed`;
  return null;
}

/**
 * Judges a path MTU measure (pure; issue 16 §5). The largest size is the largest that came back together
 * with every smaller size tried (`largestContiguous`, turn-check's rule: this host fragments datagrams over
 * its own link MTU itself, and those fragments pass a path that loses whole datagrams between the two MTUs).
 * Null with a reason, never a guessed size, when: no server answered a plain Binding request; the deadline or
 * a socket error left a size unknown; the lost sizes are not one band reaching the largest size tried (loss,
 * not an MTU); the smallest size went unanswered although plain Bindings were answered (the server may not
 * support PADDING, or pads its answers beyond what the way back carries); or the band's smallest size, re-sent
 * alone after an answered plain control (`o.confirmation`), came back (rate limiting) or is unknown.
 * `direction` is `both-ways` only when every answer up to the largest was at least as large as its request.
 */
export function judgePathMtu(o: PathMtuObservation): PathMtu {
  const sizes = [...o.sizes].sort((x, y) => x.bytes - y.bytes);
  const known = sizes.filter((s) => s.answered !== null);
  if (o.server === null)
    return unjudged(o, known, 'no STUN server answered a plain Binding request over UDP');
  if (known.length < sizes.length)
    return unjudged(
      o,
      known,
      'the probe’s deadline (or a socket error) ended some padded Binding requests before they were answered or given up: the sizes are not all known',
    );
  const scattered = notAnMtu(known);
  if (scattered) return unjudged(o, known, scattered);
  const largest = largestContiguous(known.map((s) => ({ bytes: s.bytes, ok: s.answered === true })));
  if (largest === null)
    return unjudged(
      o,
      known,
      `no padded Binding request was answered, not even the smallest (${sizes[0]?.bytes ?? 0} bytes), though a plain one was: the server may not support PADDING (RFC 5780 §7.6) or pads its answers beyond what the way back carries`,
    );
  const lost = known.find((s) => s.bytes > largest && s.answered === false)?.bytes ?? null;
  const notConfirmed = lost === null ? null : unconfirmed(lost, o.confirmation);
  if (notConfirmed) return unjudged(o, known, notConfirmed);
  const both = known.every((s) => s.bytes > largest || (s.responseBytes ?? 0) >= s.bytes);
  return {
    method: 'stun-padding',
    server: o.server,
    largestDatagramBytes: largest,
    smallestLostBytes: lost,
    direction: both ? 'both-ways' : 'to-server',
    probes: known.map(probeRow),
    meaning: meaningOf(largest, lost, o.family, both),
  };
}
