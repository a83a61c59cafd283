import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { h } from '../../page/ui/dom.js';
import { percentText } from './format.js';

/**
 * The dashboard's aggregate charts: horizontal bar charts (chart.js 4, only what they use registered,
 * animations off), each a `<figure data-chart=…>` with a caption, a canvas (`role="img"`, its `aria-label`
 * the counts in words) and beside it a table of the same counts and their share — the numbers readable
 * without the picture. Text and grid lines take the page's `--muted` and `--line` colours.
 */

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** One bar: its label and its count of reports. */
export type Bar = readonly [label: string, count: number];

const charts = new Map<string, Chart>();

/** The counts as a table: label, reports, share of `total`. */
function countTable(title: string, bars: readonly Bar[], total: number): HTMLTableElement {
  return h(
    'table',
    { class: 'counts' },
    h('caption', {}, title),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, ''),
        h('th', { scope: 'col' }, 'Reports'),
        h('th', { scope: 'col' }, 'Share'),
      ),
    ),
    h(
      'tbody',
      {},
      ...bars.map(([label, count]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          h('td', {}, String(count)),
          h('td', {}, percentText(count, total)),
        ),
      ),
    ),
  );
}

/**
 * Appends to `container` a figure named `key` (`data-chart`) with a bar chart of `bars` and the table of
 * their counts and shares of `total`; a chart drawn earlier under the same key is destroyed first.
 */
export function barFigure(
  container: HTMLElement,
  key: string,
  title: string,
  bars: readonly Bar[],
  total: number,
): void {
  charts.get(key)?.destroy();
  const words = bars.map(([label, count]) => `${label} ${count} (${percentText(count, total)})`).join('; ');
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}: ${words || 'no reports'}` });
  const frame = h('div', { class: 'chart-frame' }, canvas);
  frame.style.height = `${bars.length * 2 + 4}rem`;
  container.append(
    h(
      'figure',
      { class: 'chart', 'data-chart': key },
      h('figcaption', {}, title),
      h('div', { class: 'chart-pair' }, frame, countTable(title, bars, total)),
    ),
  );
  const css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue('--muted').trim() || Chart.defaults.color;
  Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || Chart.defaults.borderColor;
  charts.set(
    key,
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: bars.map(([label]) => label),
        datasets: [{ label: 'reports', data: bars.map(([, count]) => count), backgroundColor: '#4e79a7' }],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
      },
    }),
  );
  canvas.dataset.drawn = 'true';
}
