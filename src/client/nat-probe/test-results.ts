import type { TestResult } from '../../report/schema.js';
import { formatAddress } from '../../wire/address.js';
import { reportedMs } from '../transport/rtt.js';
import { fromExpectedSource } from './answers.js';
import type { BindingObservation, FilteringTriple, ProbeObservations } from './observations.js';

/** The verdict word of one exchange: `ok`, `timeout`, `error-420`, `unexpected-source` ... */
export function verdictOf(o: BindingObservation): string {
  if (o.errorCode !== null) return `error-${o.errorCode}`;
  if (o.failure !== null)
    return o.failure === 'timeout' ? 'timeout' : o.failure === 'aborted' ? 'aborted' : 'error';
  if (o.transport === 'udp' && !fromExpectedSource(o)) return 'unexpected-source';
  return 'ok';
}

function detailOf(o: BindingObservation): string | undefined {
  const parts: string[] = [];
  if (o.change) parts.push(`CHANGE-REQUEST${o.change.ip ? ' ip' : ''}${o.change.port ? ' port' : ''}`);
  if (o.expectedSource && o.source && !fromExpectedSource(o))
    parts.push(`expected reply from ${formatAddress(o.expectedSource)}`);
  if (o.responseOrigin && o.source && o.responseOrigin.address !== o.source.address) {
    parts.push(
      `RESPONSE-ORIGIN ${formatAddress(o.responseOrigin)} differs from the datagram source (server behind NAT?)`,
    );
  }
  if (o.failure && o.failure !== 'timeout' && o.failure !== 'aborted') parts.push(o.failure);
  return parts.length ? parts.join('; ') : undefined;
}

/** One report row per exchange. */
export function toTestResult(o: BindingObservation): TestResult {
  const detail = detailOf(o);
  return {
    name: o.name,
    target: `${o.server} ${formatAddress(o.target)}`,
    transport: o.transport,
    requestsSent: o.requestsSent,
    responsesReceived: o.source ? 1 : 0,
    rttMs: reportedMs(o.rttMs),
    replySource: o.source,
    mappedAddress: o.mapped,
    verdict: verdictOf(o),
    ...(detail ? { detail } : {}),
  };
}

/**
 * Every exchange of a probe as report rows: mapping I (each server), then per RFC 5780 candidate (in race
 * order) mapping II, III, filtering I–III and the CHANGE-REQUEST control, then the other servers'
 * filtering tests, TCP/TLS bindings, hairpinning and lifetime summaries.
 * @param lifetimeServer URL of the server the binding lifetime was measured against (its row's target).
 */
export function testResults(
  obs: ProbeObservations,
  otherFiltering: FilteringTriple[],
  lifetimeServer: string | null,
): TestResult[] {
  const rows: BindingObservation[] = [...obs.mappingTestI];
  for (const r of obs.rfc5780Runs) {
    const { filtering: f, control: c } = r;
    rows.push(r.II, r.III, f.I, f.II, f.III, c.I, c.openII, c.openIII, c.II, c.III);
  }
  for (const f of otherFiltering) rows.push(f.I, f.II, f.III);
  rows.push(...obs.streams);
  const out = rows.map(toTestResult);
  if (obs.hairpin) {
    out.push({
      name: 'hairpinning',
      target: formatAddress(obs.hairpin.target),
      transport: 'udp',
      requestsSent: 1,
      responsesReceived: obs.hairpin.received ? 1 : 0,
      rttMs: reportedMs(obs.hairpin.received ? obs.hairpin.waitedMs : null),
      replySource: null,
      mappedAddress: obs.hairpin.target,
      verdict: obs.hairpin.received ? 'hairpin' : 'no-hairpin',
    });
  }
  if (obs.lifetime) {
    out.push({
      name: 'binding-lifetime',
      target: lifetimeServer ?? '',
      transport: 'udp',
      requestsSent: obs.lifetime.trials.length,
      responsesReceived: obs.lifetime.trials.filter((t) => t.alive).length,
      rttMs: null,
      replySource: null,
      mappedAddress: null,
      verdict:
        obs.lifetime.maxS === null
          ? `alive after ${obs.lifetime.minS} s`
          : `${obs.lifetime.minS}–${obs.lifetime.maxS} s`,
      detail: obs.lifetime.trials.map((t) => `${t.waitS}s:${t.alive ? 'alive' : 'gone'}`).join(' '),
    });
  }
  return out;
}
