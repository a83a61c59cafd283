import type { Reachability } from '../../report/schema.js';
import { reportedMs } from '../transport/rtt.js';
import type { BindingObservation, ProbeObservations, ServerObservation } from './observations.js';

/** How a transaction without an answer reads in the report: `no answer within N ms` for silence. */
function failureText(o: BindingObservation): string | undefined {
  if (o.failure === 'timeout') return `no answer within ${Math.round(o.elapsedMs)} ms`;
  return o.failure ?? undefined;
}

/**
 * One row per URL: each server URL as given (UDP: its mapping test I; tcp/tls: its stream), then the TCP
 * stream probed alongside a UDP URL when that URL was not itself given. Pure: rows from observations.
 */
export function reachability(servers: ServerObservation[], obs: ProbeObservations): Reachability[] {
  const fromObs = (url: string, o: BindingObservation | undefined): Reachability => {
    if (!o) {
      return {
        url,
        transport: 'udp',
        reachable: false,
        rttMs: null,
        mappedAddress: null,
        error:
          'not tested here: another address family than the first UDP server (see the ipv4 / ipv6 block)',
      };
    }
    const error = failureText(o);
    return {
      url,
      transport: o.transport,
      reachable: o.failure === null && o.source !== null,
      rttMs: reportedMs(o.rttMs),
      mappedAddress: o.mapped,
      ...(error !== undefined ? { error } : {}),
    };
  };
  const rows = servers.map((s): Reachability => {
    if (s.resolveError)
      return {
        url: s.url,
        transport: s.transport,
        reachable: false,
        rttMs: null,
        mappedAddress: null,
        error: s.resolveError,
      };
    const tests = s.transport === 'udp' ? obs.mappingTestI : obs.streams;
    return fromObs(
      s.url,
      tests.find((o) => o.server === s.url),
    );
  });
  const given = new Set(servers.map((s) => s.url));
  for (const st of obs.streams) if (!given.has(st.server)) rows.push(fromObs(st.server, st));
  return rows;
}
