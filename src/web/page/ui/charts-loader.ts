import type { ReportCharts } from './charts.js';

/**
 * Loads the charts (ui/charts.ts and chart.js, about 180 KB minified) as a chunk of their own
 * (scripts/build-page.mjs splits it out of app.js), so the checks and the verdict never wait for them to
 * download and compile. Call it once there is something to draw.
 * @returns the charts mounted at the end of `container` (see `createCharts`), or null when the chunk could not
 * be loaded (network, CSP): `container` then says so. Never rejects.
 */
export async function loadCharts(container: HTMLElement): Promise<ReportCharts | null> {
  try {
    const { createCharts } = await import('./charts.js');
    return createCharts(container);
  } catch (err) {
    const note = document.createElement('p');
    note.className = 'chart-empty';
    note.textContent = `The charts could not be loaded: ${err instanceof Error ? err.message : String(err)}.`;
    container.append(note);
    return null;
  }
}
