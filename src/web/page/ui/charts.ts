import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { BrowserCandidate, PathResult } from '../../../report/browser-schema.js';
import type { PathTarget } from '../../api-schema.js';
import {
  chartLines,
  gatheringRows,
  movingAverage,
  pathRtt,
  rateText,
  resultLabel,
  SMOOTHING_SAMPLES,
  type ThroughputSeries,
  WATERFALL_TYPES,
} from '../chart-data.js';

/**
 * The report page's charts (chart.js 4, only the controllers, elements, scales and plugins used here are
 * registered, so the bundle keeps nothing else). Each chart is a `<figure>` with a caption, a canvas with
 * `role="img"`, `data-chart` (`waterfall`, `rtt`, `throughput`) and an `aria-label` that states the data in
 * words, the same words visible under it (`ul.chart-words`, hidden from screen readers, which read the label),
 * and a note shown instead when there is nothing to draw. Animations are off, so what is on screen
 * (and in a screenshot) is the final state; `data-drawn="true"` once a chart was drawn with data. Rows are
 * paths in words (chart-data.ts `resultLabel`: `TURN/TLS on host:443`, `✗ failed` when the path failed);
 * text and grid lines take the page's colours (`--muted`, `--line`), so they stay readable in dark mode, and
 * are drawn again when the colour scheme changes.
 */

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

/** The charts mounted in one container; each call redraws its chart from scratch with the given data. */
export interface ReportCharts {
  /**
   * Time to the first host, srflx and relay candidate of each path (horizontal bars, ms since the run
   * started); `paths` (the results so far) mark the failed ones.
   */
  waterfall(candidates: BrowserCandidate[], targets: PathTarget[], paths: PathResult[]): void;
  /** Round-trip time of each path (horizontal bars, ms): the relay proof's echo RTT, else its selected pair's. */
  rtt(paths: PathResult[]): void;
  /**
   * Data channel throughput of each path over time: a line smoothed over {@link SMOOTHING_SAMPLES} samples
   * (Mbit/s against s), labelled with the path's summary rate (`throughputKbps` of its result in `paths`).
   */
  throughput(series: ThroughputSeries[], paths: PathResult[]): void;
}

type ChartKind = 'waterfall' | 'rtt' | 'throughput';

/** Fill colours of the waterfall's candidate types (readable on light and dark backgrounds). */
const TYPE_COLOURS: Readonly<Record<(typeof WATERFALL_TYPES)[number], string>> = {
  host: '#4e79a7',
  srflx: '#f28e2b',
  relay: '#59a14f',
};

/**
 * Line colours of the throughput chart, one per path in turn (Tableau 10: 3:1 or more against both the light
 * and the dark page background). Explicit, because the page's own default colours switch chart.js's Colors
 * plugin off.
 */
const LINE_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];

/** One chart's place in the page. */
class ChartSlot {
  readonly #canvas: HTMLCanvasElement;
  readonly #frame: HTMLDivElement;
  readonly #empty: HTMLParagraphElement;
  readonly #words: HTMLUListElement;
  readonly #title: string;
  #chart: Chart | null = null;
  /** Draws the last data again (in the page's current colours); nothing before the first draw. */
  #last: () => void = () => undefined;

  constructor(container: HTMLElement, kind: ChartKind, title: string, emptyText: string) {
    const figure = document.createElement('figure');
    figure.className = `chart chart-${kind}`;
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    this.#frame = document.createElement('div');
    this.#frame.className = 'chart-frame';
    this.#frame.style.position = 'relative';
    this.#canvas = document.createElement('canvas');
    this.#canvas.dataset.chart = kind;
    this.#canvas.dataset.drawn = 'false';
    this.#canvas.setAttribute('role', 'img');
    this.#canvas.setAttribute('aria-label', `${title}: not measured yet`);
    this.#empty = document.createElement('p');
    this.#empty.className = 'chart-empty';
    this.#empty.textContent = emptyText;
    this.#empty.hidden = true;
    this.#words = document.createElement('ul');
    this.#words.className = 'chart-words';
    this.#words.setAttribute('aria-hidden', 'true');
    this.#title = title;
    this.#frame.append(this.#canvas);
    figure.append(caption, this.#frame, this.#words, this.#empty);
    container.append(figure);
  }

  /**
   * Draws `config`, or shows the empty note when it is null; `words` is the data in words, one line per path
   * (`none` when empty). With `rows`, the chart is that many bars high (2.4 rem each plus room for the axis and
   * legend) whatever its width, so every row keeps a readable label on a phone.
   */
  draw(
    config: ChartConfiguration<'bar' | 'line'> | null,
    words: string[],
    none: string,
    rows?: number,
  ): void {
    this.#last = () => this.draw(config, words, none, rows);
    this.#chart?.destroy();
    const css = getComputedStyle(document.documentElement);
    Chart.defaults.color = css.getPropertyValue('--muted').trim() || Chart.defaults.color;
    Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || Chart.defaults.borderColor;
    if (config && rows !== undefined) {
      this.#frame.style.height = `${rows * 2.4 + 6}rem`;
      config.options = { ...config.options, maintainAspectRatio: false };
    }
    this.#canvas.hidden = config === null;
    this.#frame.hidden = config === null;
    this.#empty.hidden = config !== null;
    this.#chart = config === null ? null : new Chart(this.#canvas, config);
    this.#canvas.dataset.drawn = String(config !== null);
    this.#canvas.setAttribute('aria-label', `${this.#title}: ${words.join('; ') || none}`);
    this.#words.replaceChildren(
      ...(config === null ? [] : words).map((w) => {
        const li = document.createElement('li');
        li.textContent = w;
        return li;
      }),
    );
  }

  /** Draws the chart again with its last data, e.g. in the new colours after the colour scheme changed. */
  redraw(): void {
    this.#last();
  }
}

/** A linear axis from 0 with a title. */
const linearAxis = (title: string) => ({
  type: 'linear' as const,
  beginAtZero: true,
  title: { display: true, text: title },
});

/** A category axis that shows every row's label (on several lines, chart-data.ts `chartLines`). */
const rowAxis = { type: 'category' as const, ticks: { autoSkip: false } };

/**
 * Mounts the three charts, empty, at the end of `container`; the page calls the returned functions as its
 * results come in.
 */
export function createCharts(container: HTMLElement): ReportCharts {
  const waterfall = new ChartSlot(
    container,
    'waterfall',
    'Gathering: time to the first candidate of each type, per path',
    'No candidate was gathered.',
  );
  const rtt = new ChartSlot(
    container,
    'rtt',
    'Round-trip time per path',
    'No path measured a round-trip time.',
  );
  const throughput = new ChartSlot(
    container,
    'throughput',
    `Data channel throughput per path (smoothed: the average of the last ${SMOOTHING_SAMPLES} samples)`,
    'No throughput was measured.',
  );
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const slot of [waterfall, rtt, throughput]) slot.redraw();
  });

  return {
    waterfall(candidates, targets, paths) {
      const rows = gatheringRows(candidates, targets, paths);
      const words = rows.map(
        (r) =>
          `${r.label}: ${
            WATERFALL_TYPES.filter((t) => r.firstMs[t] !== null)
              .map((t) => `${t} ${r.firstMs[t]} ms`)
              .join(', ') || 'none'
          }`,
      );
      waterfall.draw(
        rows.some((r) => WATERFALL_TYPES.some((t) => r.firstMs[t] !== null))
          ? {
              type: 'bar',
              data: {
                labels: rows.map((r) => chartLines(r.label)),
                datasets: WATERFALL_TYPES.map((t) => ({
                  label: `first ${t}`,
                  data: rows.map((r) => r.firstMs[t]),
                  backgroundColor: TYPE_COLOURS[t],
                })),
              },
              options: {
                animation: false,
                indexAxis: 'y',
                scales: { x: linearAxis('ms since the test started'), y: rowAxis },
              },
            }
          : null,
        words,
        'no candidates',
        rows.length,
      );
    },

    rtt(paths) {
      const rows = paths.map((p) => ({ label: resultLabel(p), rttMs: pathRtt(p) }));
      const measured = rows.filter((r) => r.rttMs !== null);
      rtt.draw(
        measured.length > 0
          ? {
              type: 'bar',
              data: {
                labels: rows.map((r) => chartLines(r.label)),
                datasets: [
                  { label: 'RTT (ms)', data: rows.map((r) => r.rttMs), backgroundColor: TYPE_COLOURS.host },
                ],
              },
              options: {
                animation: false,
                indexAxis: 'y',
                scales: { x: linearAxis('ms'), y: rowAxis },
              },
            }
          : null,
        rows.map((r) => `${r.label}: ${r.rttMs === null ? 'not measured' : `${r.rttMs} ms`}`),
        'no paths',
        rows.length,
      );
    },

    throughput(series, paths) {
      const drawn = series
        .filter((s) => s.samples.length > 0)
        .map((s) => {
          const path = paths.find((p) => p.id === s.pathId);
          const summary = path?.throughputKbps ?? null;
          const label = path ? resultLabel(path) : s.pathId;
          return {
            label,
            words: `${label}: ${summary === null ? 'no average' : `${rateText(summary)} on average`}`,
            points: movingAverage(s.samples).map((p) => ({ x: p.tMs / 1000, y: p.kbps / 1000 })),
          };
        });
      throughput.draw(
        drawn.length > 0
          ? {
              type: 'line',
              data: {
                datasets: drawn.map((d, i) => {
                  const colour = LINE_COLOURS[i % LINE_COLOURS.length];
                  return {
                    label: d.label,
                    data: d.points,
                    pointRadius: 0,
                    borderColor: colour,
                    backgroundColor: colour,
                  };
                }),
              },
              options: {
                animation: false,
                aspectRatio: 1.6,
                plugins: { legend: { position: 'bottom' } },
                scales: { x: linearAxis('s since the measurement started'), y: linearAxis('Mbit/s') },
              },
            }
          : null,
        drawn.map((d) => d.words),
        'not measured',
      );
    },
  };
}
