import type { SelectedPair } from '../../../report/browser-schema.js';
import { hostPort } from '../address.js';
import { h, replaceChildren } from './dom.js';
import { formatMs } from './timing.js';

/**
 * The `#selected-pair` section: the pair ICE selected in the page's own policy-`all` call (W3C webrtc-stats
 * §6.6 `RTCIceCandidatePairStats` with its candidates and transport), or why there is none. The container
 * gets `data-local-type`, `data-remote-type` and `data-protocol` for automation.
 */

const where = (address: string | null, port: number | null): string =>
  address === null ? 'not reported' : port === null ? address : hostPort(address, port);

/** Shows `pair` (or `error`) in `container`, replacing what was there. */
export function renderPair(container: HTMLElement, pair: SelectedPair | null, error: string | null): void {
  if (!pair) {
    delete container.dataset.localType;
    delete container.dataset.remoteType;
    replaceChildren(
      container,
      h('p', { class: 'fail' }, `No selected pair: ${error ?? 'the call did not run'}.`),
    );
    return;
  }
  container.dataset.localType = pair.localType;
  container.dataset.remoteType = pair.remoteType;
  container.dataset.protocol = pair.protocol;
  const rows: [string, string][] = [
    ['Pair', `${pair.localType} ↔ ${pair.remoteType}`],
    ['Protocol', pair.protocol.toUpperCase()],
    ['Relay protocol', pair.relayProtocol ? pair.relayProtocol.toUpperCase() : '— (not relayed)'],
    ['Local', where(pair.localAddress, pair.localPort)],
    ['Remote', where(pair.remoteAddress, pair.remotePort)],
    ['Server', pair.url ?? '—'],
    ['RTT', pair.rttMs === null ? 'not reported yet' : formatMs(pair.rttMs)],
    ['Pair changes', String(pair.pairChanges)],
    ['DTLS', `${pair.dtlsState ?? 'state not reported'}${pair.dtlsCipher ? `, ${pair.dtlsCipher}` : ''}`],
    ['Found by', pair.source],
  ];
  replaceChildren(
    container,
    h('dl', { class: 'pair' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    error ? h('p', { class: 'explanation' }, error) : null,
  );
}
