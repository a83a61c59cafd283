import type { BrowserCandidate } from '../../src/report/browser-schema.js';

/**
 * A candidate row of the browser report for chart and table tests: `type` on path `pathId`, `tMs` after the
 * run started, at `address` (port 50000, UDP); only the fields those tests read are meaningful.
 */
export function candidateRow(
  pathId: string,
  type: BrowserCandidate['type'],
  tMs: number,
  address = '192.0.2.10',
): BrowserCandidate {
  return {
    pathId,
    tMs,
    type,
    foundation: '1',
    protocol: 'udp',
    address,
    port: 50000,
    priority: 1,
    typePreference: 0,
    localPreference: 0,
    component: 1,
    relatedAddress: null,
    relatedPort: null,
    relayProtocol: type === 'relay' ? 'udp' : null,
    url: null,
  };
}
