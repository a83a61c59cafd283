import type { BrowserCandidate, CandidateErrorRow } from '../../../report/browser-schema.js';
import { hostPort } from '../address.js';
import { h } from './dom.js';

/**
 * The `#candidates` table, trickled live: one row per gathered candidate (RFC 8839 §5.1 fields, the priority
 * split per RFC 8445 §5.1.2.1) and one per `icecandidateerror`, in plain words, in the order they came.
 */

const COLUMNS: readonly [string, string][] = [
  ['t (ms)', 'ms since the run started'],
  ['path', 'which peer connection gathered it'],
  ['type', 'host, srflx (NAT mapping seen by STUN), prflx, relay (TURN)'],
  ['foundation', 'candidates with one foundation share a base and a server'],
  ['protocol', 'transport between the browser and its peer'],
  ['address', ''],
  ['port', ''],
  ['priority', 'RFC 8445 §5.1.2.1: 2^24·type pref + 2^8·local pref + (256 − component)'],
  ['type pref', '126 host … 0 relay; browsers lower it for TURN over TCP/TLS'],
  ['local pref', 'preference of the interface (and relay protocol)'],
  ['comp', 'component: 1 = RTP'],
  ['related', 'the base behind a srflx/relay candidate (0.0.0.0 when the browser hides it)'],
  ['relay protocol', 'how the browser reached the TURN server'],
  ['url', 'the STUN/TURN server that produced it'],
];

const cell = (text: string | number | null, cls = ''): HTMLTableCellElement =>
  h('td', cls ? { class: cls } : {}, text === null ? '—' : String(text));

/** Sets each cell's `data-label` to its column's name (the narrow-screen cards show it before the value). */
function labelled(tr: HTMLTableRowElement): HTMLTableRowElement {
  [...tr.cells].forEach((td, i) => {
    const name = td.colSpan === 1 ? COLUMNS[i]?.[0] : undefined;
    if (name) td.dataset.label = name;
  });
  return tr;
}

/** The table of one run (or of a shared report). */
export class CandidateTable {
  readonly #body: HTMLTableSectionElement;
  readonly #summary: HTMLElement;
  #candidates = 0;
  #errors = 0;
  #harmless = 0;

  /** Builds the empty table at the end of `section`. */
  constructor(section: HTMLElement) {
    this.#summary = h('p', { class: 'summary' }, 'No candidate yet.');
    this.#body = h('tbody');
    const head = h(
      'tr',
      {},
      ...COLUMNS.map(([name, title]) => h('th', { scope: 'col', ...(title && { title }) }, name)),
    );
    section.append(
      this.#summary,
      h('div', { class: 'table-scroll' }, h('table', {}, h('thead', {}, head), this.#body)),
    );
  }

  /** Appends a candidate row (`tr.candidate`, `data-path`, `data-type`). */
  add(c: BrowserCandidate): void {
    this.#candidates++;
    this.#body.append(
      labelled(
        h(
          'tr',
          { class: `candidate type-${c.type}`, 'data-path': c.pathId, 'data-type': c.type },
          cell(Math.round(c.tMs), 'num'),
          cell(c.pathId, 'path'),
          cell(c.type, 'type'),
          cell(c.foundation),
          cell(c.protocol),
          cell(c.address, 'addr'),
          cell(c.port, 'num'),
          cell(c.priority, 'num'),
          cell(c.typePreference, 'num'),
          cell(c.localPreference, 'num'),
          cell(c.component, 'num'),
          cell(c.relatedAddress === null ? null : hostPort(c.relatedAddress, c.relatedPort ?? 0), 'addr'),
          cell(c.relayProtocol),
          cell(c.url, 'url'),
        ),
      ),
    );
    this.#count();
  }

  /** Appends an error row (`tr.candidate-error`, `data-code`, `data-path`, class `harmless` when it is). */
  addError(e: CandidateErrorRow): void {
    this.#errors++;
    if (e.harmless) this.#harmless++;
    const local = e.address
      ? ` (local socket ${e.port === null ? e.address : hostPort(e.address, e.port)})`
      : '';
    this.#body.append(
      labelled(
        h(
          'tr',
          {
            class: `candidate-error${e.harmless ? ' harmless' : ''}`,
            'data-path': e.pathId,
            'data-code': String(e.errorCode),
          },
          cell(Math.round(e.tMs), 'num'),
          cell(e.pathId, 'path'),
          h(
            'td',
            { colspan: String(COLUMNS.length - 2) },
            e.harmless
              ? h('span', { class: 'badge harmless' }, 'harmless')
              : h('span', { class: 'badge error' }, 'error'),
            ' ',
            h('strong', {}, `${e.errorCode} ${e.errorText}`),
            ` from ${e.url}${local}`,
            h('span', { class: 'explanation' }, e.explanation),
          ),
        ),
      ),
    );
    this.#count();
  }

  #count(): void {
    const errors =
      this.#errors === 0
        ? 'no candidate error'
        : `${this.#errors} candidate error${this.#errors === 1 ? '' : 's'}${this.#harmless > 0 ? ` (${this.#harmless} harmless)` : ''}`;
    this.#summary.textContent = `${this.#candidates} candidate${this.#candidates === 1 ? '' : 's'}, ${errors}.`;
  }
}
