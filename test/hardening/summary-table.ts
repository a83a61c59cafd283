import type { Reporter, TestModule } from 'vitest/node';
import type { HardeningRow } from './tally.js';

/**
 * Prints the hardening suite's summary table at the end of a run that recorded rows (see tally.ts): one
 * line per check with counts tried and failures, the test's state, and a total line. Prints nothing when no
 * hardening test ran.
 */
export default class HardeningSummary implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: (HardeningRow & { state: string })[] = [];
    for (const mod of testModules)
      for (const test of mod.children.allTests()) {
        const row = test.meta().hardening;
        if (row) rows.push({ ...row, state: test.result().state });
      }
    if (rows.length === 0) return;
    const profile = process.env.HARDENING_PROFILE === 'long' ? 'long' : 'short';
    const header = ['area', 'check', 'tried', 'failures', 'state', 'detail'];
    const cells = rows.map((r) => [
      r.area,
      r.check,
      r.tried.toLocaleString('en-US'),
      String(r.failures),
      r.state,
      r.detail ?? '',
    ]);
    const total = rows.reduce((n, r) => n + r.tried, 0);
    const failures = rows.reduce((n, r) => n + r.failures, 0);
    cells.push(['total', `${rows.length} checks`, total.toLocaleString('en-US'), String(failures), '', '']);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]): string =>
      c
        .map((v, i) => (i === 2 || i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    const out = [
      '',
      `Hardening summary (${profile} profile)`,
      line(header),
      line(widths.map((w) => '-'.repeat(w))),
      ...cells.map(line),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
