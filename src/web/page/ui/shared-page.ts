import type { BrowserReport } from '../../../report/browser-schema.js';
import type { PathTarget } from '../../api-schema.js';
import type { ThroughputSeries } from '../chart-data.js';
import { parseIceUrl } from '../ice-url.js';
import { exportReport } from '../report-export.js';
import { decodeShareFragment } from '../share-link.js';
import { loadCharts } from './charts-loader.js';
import { byId, h, replaceChildren } from './dom.js';
import { ExportPanel } from './export-panel.js';
import { setPhase } from './phase.js';
import { renderAnswer } from './view-answer.js';
import { CandidateTable } from './view-candidates.js';
import { clockTime, visitorText } from './view-header.js';
import { renderPair } from './view-pair.js';
import { PathTable } from './view-paths.js';
import { renderSignaling } from './view-signaling.js';
import { renderVerdict } from './view-verdict.js';

/**
 * The page opened with a share link (`#report=`, share-link.ts): the report in the fragment is decoded,
 * validated and shown read-only in the same sections as a live run (the selected pair without the "no pair"
 * note when there is one, the throughput chart from the samples the report keeps); nothing is tested and the
 * server is not asked for anything. The export buttons re-export that report (addresses can still be hidden).
 */

/** The report without the fields `exportReport` sets, to re-export it. */
function asDraft(report: BrowserReport) {
  const { schemaVersion: _v, tool: _t, kind: _k, redacted: _r, ...draft } = report;
  return draft;
}

/** Path targets for the gathering chart, rebuilt from the report's paths (labelled by server host). */
function targetsOf(report: BrowserReport): PathTarget[] {
  return report.paths.map((p) => ({
    id: p.id,
    kind: p.kind,
    server: parseIceUrl(p.url)?.host ?? p.url,
    iceServer: { urls: p.url },
  }));
}

/** The throughput chart's series of the measured paths, from the samples the report keeps. */
function throughputSeries(report: BrowserReport): ThroughputSeries[] {
  return report.paths.flatMap((p) =>
    p.throughputSamples && p.throughputSamples.length > 0
      ? [{ pathId: p.id, samples: p.throughputSamples }]
      : [],
  );
}

async function showReport(report: BrowserReport, loc: Location): Promise<void> {
  document.body.classList.add('shared');
  const started = new Date(report.startedAt);
  replaceChildren(
    byId('status', HTMLElement),
    `A shared report, read-only: a run of ${started.toLocaleDateString()} ${clockTime(started)} in ${report.userAgent}. Nothing was tested now. `,
    h('a', { href: '/' }, 'Run the checks from this browser'),
  );
  byId('visitor', HTMLElement).textContent = visitorText(report.visitor);
  byId('credentials', HTMLElement).textContent = 'never part of a report';
  renderSignaling(byId('signaling-body', HTMLElement), report.signaling);
  const table = new CandidateTable(byId('candidates', HTMLElement));
  const rows = [
    ...report.candidates.map((c) => ({ tMs: c.tMs, add: () => table.add(c) })),
    ...report.candidateErrors.map((e) => ({ tMs: e.tMs, add: () => table.addError(e) })),
  ];
  for (const row of rows.sort((a, b) => a.tMs - b.tMs)) row.add();
  const paths = new PathTable(byId('paths', HTMLElement), report.paths);
  for (const p of report.paths) paths.update(p);
  renderPair(
    byId('pair-body', HTMLElement),
    report.selectedPair,
    report.selectedPair ? null : 'the call found no pair',
  );
  renderAnswer(byId('answer-body', HTMLElement), report);
  renderVerdict(byId('verdict', HTMLElement), report.verdict);
  const charts = await loadCharts(byId('charts', HTMLElement));
  charts?.waterfall(report.candidates, targetsOf(report), report.paths);
  charts?.rtt(report.paths);
  charts?.throughput(throughputSeries(report), report.paths);
  const peer = byId('peer', HTMLElement);
  const peerBody = h('div', { class: 'section-body' });
  peer.append(
    h(
      'p',
      {},
      report.peer
        ? `The two-peer test ran, this browser being the ${report.peer.role}:`
        : 'The two-peer test did not run.',
    ),
    peerBody,
  );
  if (report.peer) renderPair(peerBody, report.peer.selectedPair, 'the two browsers did not connect');
  new ExportPanel(loc, null).enable((redactIps) =>
    exportReport(asDraft(report), { redactIps: redactIps || report.redacted.ips, secrets: [] }),
  );
}

/** Shows the report of `loc.hash` read-only, or a clear error when the link cannot be read. Never rejects. */
export async function showSharedPage(loc: Location): Promise<void> {
  setPhase('loading');
  let report: BrowserReport;
  try {
    report = await decodeShareFragment(loc.hash);
  } catch (err) {
    const error = byId('page-error', HTMLElement);
    replaceChildren(
      error,
      `This share link cannot be shown: ${err instanceof Error ? err.message : String(err)}. `,
      h('a', { href: '/' }, 'Run the checks from this browser instead'),
    );
    error.hidden = false;
    byId('status', HTMLElement).textContent = 'Nothing to show.';
    document.body.classList.add('shared');
    setPhase('shared-error');
    return;
  }
  await showReport(report, loc);
  setPhase('shared');
}
