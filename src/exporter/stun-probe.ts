import { bindingRequest } from '../client/nat-probe/requests.js';
import { ResolveError, resolveServer } from '../client/transport/resolve.js';
import { RttEstimator } from '../client/transport/rtt.js';
import { streamExchange } from '../client/transport/stream-client.js';
import { StunUdpClient } from '../client/transport/udp-client.js';
import type { StunUrl } from '../client/url/stun-url.js';
import type { Family, TransportAddress } from '../wire/address.js';
import { StunClass } from '../wire/constants.js';
import type { StunMessage } from '../wire/message.js';
import type { ProbeGauges } from './probe-metrics.js';

/** What one STUN Binding probe saw. */
export interface StunProbeResult {
  transport: StunUrl['transport'];
  /** The name lookup's duration, in ms (0 for an IP literal). */
  resolveMs: number;
  /** Family of the address probed; null when the name did not resolve. */
  family: Family | null;
  /** A Binding success response came back (RFC 8489 §6.3.1). */
  ok: boolean;
  /** From the last request sent to the response, in ms; null without a response. */
  rttMs: number | null;
  /** Requests sent (retransmissions included); 1 over TCP/TLS. */
  sent: number;
  /** Why it failed in one line (DNS, silence, an error response, a TLS error), or null. */
  failure: string | null;
}

/** One Binding transaction over UDP (RFC 8489 §6.2.1 retransmissions) or over a TCP/TLS connection. */
async function exchange(
  url: StunUrl,
  to: TransportAddress,
  opts: { insecure: boolean; ca?: readonly string[]; signal: AbortSignal },
): Promise<{ response: StunMessage | null; rttMs: number | null; sent: number; failure: string | null }> {
  const req = bindingRequest();
  const rtt = new RttEstimator();
  if (url.transport !== 'udp') {
    const r = await streamExchange(req.bytes, req.transactionId, {
      transport: url.transport,
      to,
      serverName: url.host,
      insecure: opts.insecure,
      ca: opts.ca,
      rtt,
      signal: opts.signal,
    });
    return { response: r.response, rttMs: r.rttMs, sent: 1, failure: r.failure };
  }
  const client = await StunUdpClient.open(to.family, rtt, opts.signal);
  try {
    const r = await client.transact(req.bytes, req.transactionId, to);
    return { response: r.response, rttMs: r.rttMs, sent: r.requestsSent, failure: r.failure };
  } finally {
    client.close();
  }
}

/**
 * Sends one STUN Binding request (RFC 8489 §6) to `url` and says whether a success response came back,
 * with the round-trip time, all within `deadlineMs`. Never rejects for network reasons.
 */
export async function runStunProbe(
  url: StunUrl,
  opts: { insecure: boolean; ca?: readonly string[]; deadlineMs: number },
): Promise<StunProbeResult> {
  const signal = AbortSignal.timeout(opts.deadlineMs);
  const start = performance.now();
  let to: TransportAddress;
  try {
    to = await resolveServer(url, opts.deadlineMs);
  } catch (err) {
    const failure = err instanceof ResolveError ? err.message : String(err);
    const resolveMs = performance.now() - start;
    return { transport: url.transport, resolveMs, family: null, ok: false, rttMs: null, sent: 0, failure };
  }
  const resolveMs = performance.now() - start;
  const r = await exchange(url, to, { ...opts, signal });
  const ok = r.response?.cls === StunClass.successResponse;
  const failure = ok ? null : (r.failure ?? 'the server answered with an error response');
  return {
    transport: url.transport,
    resolveMs,
    family: to.family,
    ok,
    rttMs: ok ? r.rttMs : null,
    sent: r.sent,
    failure,
  };
}

/** Writes a STUN probe's result as `/probe` metrics (seconds; RTT only when a response came back). */
export function writeStunMetrics(g: ProbeGauges, r: StunProbeResult): void {
  const labels = { transport: r.transport, address: '' };
  g.set('probe_success', {}, r.ok ? 1 : 0);
  g.set('probe_phase_duration_seconds', { ...labels, phase: 'resolve' }, r.resolveMs / 1000);
  if (r.family) g.set('probe_ip_protocol', labels, r.family === 'IPv6' ? 6 : 4);
  g.set('probe_stun_requests_sent', { transport: r.transport }, r.sent);
  if (r.rttMs !== null) g.set('probe_stun_rtt_seconds', { transport: r.transport }, r.rttMs / 1000);
}
