import type { OutsideReach } from '../../../report/browser-reach-schema.js';
import type { PathKind, PathResult, RelayProof } from '../../../report/browser-schema.js';
import { type Child, h, replaceChildren } from './dom.js';
import { formatMs } from './timing.js';

/**
 * The `#paths` matrix: one row per path (`tr[data-path]`), each tested in its own peer connection. Columns:
 * gathered, time to its first srflx/relay candidate, the relay proof and its assertions, echo RTT, throughput.
 * Row attributes for automation: `data-gathered` (`true`/`false`, absent while pending), `data-proof`
 * (`ok`, `failed`, `proving`, `none`) and `data-outside-reach` (`reachable`, `not-reachable`, `not-proved`,
 * absent without that proof; outside-reach.ts).
 */

/** What a row needs before its result: the path's id, kind, URL and, when known, its server's label. */
export interface PathRowHead {
  id: string;
  kind: PathKind;
  url: string;
  server?: string;
}

const KIND: Readonly<Record<PathKind, string>> = {
  stun: 'STUN (UDP)',
  'turn-udp': 'TURN over UDP',
  'turn-tcp': 'TURN over TCP',
  turns: 'TURN over TLS',
};

const COLUMNS = ['path', 'kind', 'URL', 'gathered', 'time to candidate', 'relay proof', 'RTT', 'throughput'];

interface Row {
  tr: HTMLTableRowElement;
  gathered: HTMLTableCellElement;
  first: HTMLTableCellElement;
  proof: HTMLTableCellElement;
  rtt: HTMLTableCellElement;
  throughput: HTMLTableCellElement;
}

function proofCell(proof: RelayProof): Child[] {
  return [
    h('span', { class: proof.ok ? 'ok' : 'fail' }, proof.ok ? '✓ relayed' : '✗ failed'),
    proof.error ? h('span', { class: 'explanation' }, proof.error) : null,
    h(
      'ul',
      { class: 'assertions' },
      ...proof.assertions.map((a) =>
        h(
          'li',
          { class: a.ok ? 'ok' : 'fail', 'data-assertion': a.name },
          `${a.ok ? '✓' : '✗'} ${a.name}: ${a.detail}`,
        ),
      ),
    ),
  ];
}

const REACH: Readonly<Record<OutsideReach['result'], { cls: string; text: string }>> = {
  reachable: { cls: 'ok', text: '✓ reachable from outside the TURN host' },
  'not-reachable': { cls: 'fail', text: '✗ not reachable from the report server' },
  'not-proved': { cls: 'explanation', text: 'outside reach not proved' },
};

/** The outside-reach line under a path's relay proof. */
function reachLine(reach: OutsideReach): Child {
  const { cls, text } = REACH[reach.result];
  return h(
    'div',
    { class: 'outside-reach', 'data-outside-reach': reach.result },
    h('span', { class: cls }, text),
    h('span', { class: 'explanation' }, reach.detail),
  );
}

/** The path matrix of one run (or of a shared report). */
export class PathTable {
  readonly #rows = new Map<string, Row>();

  /** Builds the table at the end of `section`, one pending row per path. */
  constructor(section: HTMLElement, heads: readonly PathRowHead[]) {
    const body = h('tbody');
    for (const p of heads) {
      const td = (text = '…'): HTMLTableCellElement => h('td', {}, text);
      const row: Row = {
        tr: h('tr', { 'data-path': p.id, 'data-kind': p.kind }),
        gathered: td(),
        first: td(),
        proof: td(p.kind === 'stun' ? '—' : '…'),
        rtt: td(),
        throughput: td(),
      };
      row.tr.append(
        h(
          'td',
          { class: 'path' },
          h('strong', {}, p.id),
          p.server ? h('span', { class: 'explanation' }, p.server) : null,
        ),
        h('td', {}, KIND[p.kind]),
        h('td', { class: 'url' }, p.url),
        row.gathered,
        row.first,
        row.proof,
        row.rtt,
        row.throughput,
      );
      [...row.tr.cells].forEach((cell, i) => {
        cell.dataset.label = COLUMNS[i] ?? '';
      });
      this.#rows.set(p.id, row);
      body.append(row.tr);
    }
    const head = h('tr', {}, ...COLUMNS.map((c) => h('th', { scope: 'col' }, c)));
    section.append(h('div', { class: 'table-scroll' }, h('table', {}, h('thead', {}, head), body)));
  }

  /** Shows a path's result; `proving` while its relay proof runs. */
  update(p: PathResult, proving = false): void {
    const row = this.#rows.get(p.id);
    if (!row) return;
    row.tr.dataset.gathered = String(p.gathered);
    row.tr.dataset.proof = proving ? 'proving' : p.proof ? (p.proof.ok ? 'ok' : 'failed') : 'none';
    if (p.outsideReach) row.tr.dataset.outsideReach = p.outsideReach.result;
    replaceChildren(
      row.gathered,
      h('span', { class: p.gathered ? 'ok' : 'fail' }, p.gathered ? 'yes' : 'no'),
      !p.gathered && p.error ? h('span', { class: 'explanation' }, p.error) : null,
    );
    row.first.textContent = p.firstCandidateMs === null ? '—' : formatMs(p.firstCandidateMs);
    if (proving) row.proof.textContent = 'proving…';
    else if (p.proof)
      replaceChildren(row.proof, ...proofCell(p.proof), p.outsideReach ? reachLine(p.outsideReach) : null);
    else
      row.proof.textContent =
        p.kind === 'stun' ? '— (gathering is the test)' : '— (nothing to relay through)';
    row.rtt.textContent = p.proof?.rttMs == null ? '—' : formatMs(p.proof.rttMs);
    row.throughput.textContent =
      p.throughputKbps !== null ? `${(p.throughputKbps / 1000).toFixed(1)} Mbit/s` : proving ? '…' : '—';
  }

  /** Shows that a path's throughput test is running. */
  measuring(pathId: string): void {
    const row = this.#rows.get(pathId);
    if (row) row.throughput.textContent = 'measuring…';
  }

  /** Shows why a path's throughput test failed. */
  throughputFailed(pathId: string, why: string): void {
    const row = this.#rows.get(pathId);
    if (row)
      replaceChildren(
        row.throughput,
        h('span', { class: 'fail' }, 'failed'),
        h('span', { class: 'explanation' }, why),
      );
  }
}
