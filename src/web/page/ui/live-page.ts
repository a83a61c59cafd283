import type { PageConfig } from '../../api-schema.js';
import { exportReport } from '../report-export.js';
import { loadIceConfig, loadPageConfig } from './api.js';
import { loadCharts } from './charts-loader.js';
import { byId, h, replaceChildren } from './dom.js';
import { ExportPanel, type ReportSource } from './export-panel.js';
import { setPhase } from './phase.js';
import { runChecks } from './run.js';
import { RunState } from './run-state.js';
import { checkSignaling } from './signaling-check.js';
import { measurePaths } from './throughput-run.js';
import { formatMs, painted, startClock } from './timing.js';
import { mountTwoPeer } from './two-peer.js';
import { renderAnswer } from './view-answer.js';
import { CandidateTable } from './view-candidates.js';
import { credentialsText, visitorText } from './view-header.js';
import { renderPair } from './view-pair.js';
import { PathTable } from './view-paths.js';
import { renderSignaling } from './view-signaling.js';
import { renderVerdict } from './view-verdict.js';
import { mountYourServers } from './your-servers.js';

/**
 * The page's normal mode: load the configuration, run every check (run.ts), show the verdict as soon as
 * everything it is judged on has a result (the policy-`all` call's pair joins its facts when it comes), then load and draw the charts (charts-loader.ts), measure throughput and close
 * the connections. The two-peer
 * test (ui/two-peer.ts) runs beside it and, when it has a result, the verdict is judged again with it.
 */

/** The page over HTTPS on the same host, when the server has an HTTPS listener and this is not it. */
function httpsUrl(config: PageConfig, loc: Location): string | null {
  const port = config.signaling.httpsPort;
  return port === null || loc.protocol === 'https:' ? null : `https://${loc.hostname}:${port}/`;
}

/** Shows why the page cannot run (`#page-error`), and sets the phase `failed`. */
function fail(why: string): void {
  const error = byId('page-error', HTMLElement);
  error.textContent = `The checks cannot run: ${why}.`;
  error.hidden = false;
  const verdict = byId('verdict', HTMLElement);
  replaceChildren(
    verdict.querySelector('.verdict-body') ?? verdict,
    h('p', { class: 'fail' }, 'No verdict: nothing was tested.'),
  );
  byId('status', HTMLElement).textContent = 'Not running.';
  setPhase('failed');
}

/**
 * Runs the page against the server it came from; see the module comment. Resolves once the run is over
 * (`data-phase` `done`) with where the export panel gets its report (a support link sends it from there,
 * ui/invite-page.ts), or with null when the checks could not run (`failed`). Never rejects.
 */
export async function runLivePage(loc: Location): Promise<ReportSource | null> {
  setPhase('loading');
  if (typeof RTCPeerConnection === 'undefined') {
    fail(
      'this browser has no WebRTC (RTCPeerConnection is missing: turned off by a setting, a policy or an extension, or not supported), so it can make no call at all',
    );
    return null;
  }
  const yours = mountYourServers(byId('your-servers', HTMLElement), loc);
  const status = byId('status', HTMLElement);
  let config: PageConfig;
  let ice: Awaited<ReturnType<typeof loadIceConfig>>;
  try {
    [config, ice] = await Promise.all([loadPageConfig(), loadIceConfig()]);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return null;
  }
  setPhase('running');
  const clock = startClock();
  const { plan, ice: tested } = await yours.plan(ice, httpsUrl(config, loc));
  const state = new RunState(
    { userAgent: navigator.userAgent, page: loc.origin, visitor: config.visitor },
    plan.paths.map((p) => p.target.id),
    clock,
  );
  byId('visitor', HTMLElement).textContent = visitorText(config.visitor);
  byId('credentials', HTMLElement).textContent = credentialsText(ice);
  status.textContent = `Testing ${plan.paths.length} paths, a call and signaling from this browser…`;

  const candidates = new CandidateTable(byId('candidates', HTMLElement));
  const paths = new PathTable(
    byId('paths', HTMLElement),
    plan.paths.map((p) => ({ id: p.target.id, kind: p.target.kind, url: p.url, server: p.target.server })),
  );
  const verdictSection = byId('verdict', HTMLElement);
  const exportPanel = new ExportPanel(loc, httpsUrl(config, loc));
  let verdictMs = 0;
  const showVerdict = (): void => {
    const verdict = state.judge();
    const draft = state.draft();
    if (draft) renderAnswer(byId('answer-body', HTMLElement), draft);
    renderVerdict(verdictSection, verdict);
    status.textContent = `Checks done: the answer after ${formatMs(verdictMs)}.`;
  };
  mountTwoPeer(byId('peer', HTMLElement), {
    config,
    iceConfig: ice,
    loc,
    onResult(peer) {
      state.peer = peer;
      if (state.verdict) showVerdict();
    },
  });

  const handles = await runChecks(
    plan,
    state,
    {
      candidate: (row) => candidates.add(row),
      candidateError: (row) => candidates.addError(row),
      path: (result, proving) => {
        paths.update(result, proving);
        if (state.verdict && result.outsideReach) showVerdict();
      },
      signaling: (checks) => renderSignaling(byId('signaling-body', HTMLElement), checks),
      selectedPair: (pair, error) => {
        renderPair(byId('pair-body', HTMLElement), pair, error);
        yours.callResult(pair, error);
        if (state.verdict) showVerdict();
      },
      judgeable: () => {
        state.stamp();
        verdictMs = clock();
        showVerdict();
        document.body.dataset.verdictMs = String(Math.round(performance.now()));
        setPhase('verdict');
      },
    },
    checkSignaling(config, loc),
    clock,
  );
  const source: ReportSource = (redactIps) => {
    const draft = state.draft();
    if (!draft) throw new Error('there is no verdict yet');
    return exportReport(
      { ...draft, iceTransportPolicy: plan.callPolicy },
      { redactIps, secrets: plan.secrets },
    );
  };
  exportPanel.enable(source);
  const charts = await Promise.all([loadCharts(byId('charts', HTMLElement)), painted()]).then(([c]) => c);
  charts?.waterfall(state.candidates, tested.targets, state.paths);
  charts?.rtt(state.paths);

  const series = await measurePaths(handles, state, {
    measuring: (id) => paths.measuring(id),
    path: (result) => paths.update(result),
    failed: (id, why) => paths.throughputFailed(id, why),
  });
  charts?.throughput(series, state.paths);
  handles.close();
  state.stamp();
  setPhase('done');
  return source;
}
