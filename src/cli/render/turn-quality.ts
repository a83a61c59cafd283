import pc from 'picocolors';
import type { RelayQuality } from '../../report/turn-quality-schema.js';

/** `1.2 ms`, or `–` for a value not known. */
function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : `${v} ms`;
}

/**
 * One line of relay quality for a target: `relay quality: RTT p50 1.2 ms, p90 1.5 ms, p99 2 ms (min 0.9 ms,
 * max 2.1 ms), loss 0 % (0 of 50), jitter 0.1 ms, largest datagram 1500 bytes`, with the reason appended
 * (or alone, dimmed, when nothing was measured).
 */
export function qualityLine(q: RelayQuality): string {
  const label = 'relay quality:';
  if (q.sent === 0) return `    ${pc.dim(`${label} ${q.reason ?? 'not measured'}`)}`;
  const rtt = q.rttMs
    ? `RTT p50 ${ms(q.rttMs.p50)}, p90 ${ms(q.rttMs.p90)}, p99 ${ms(q.rttMs.p99)} (min ${ms(q.rttMs.min)}, max ${ms(q.rttMs.max)})`
    : 'RTT –';
  const loss = `loss ${q.lossPercent ?? '–'} % (${q.sent - q.received} of ${q.sent})`;
  const size =
    q.maxDatagramBytes === null
      ? 'no datagram size came back'
      : `largest datagram ${q.maxDatagramBytes} bytes`;
  const reason = q.reason ? pc.dim(` — ${q.reason}`) : '';
  return `    ${label} ${rtt}, ${loss}, jitter ${ms(q.jitterMs)}, ${size}${reason}`;
}
