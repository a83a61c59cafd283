import type { TaskMeta } from 'vitest';

/** One row of the hardening summary table: what a test tried, and how many of those tries failed. */
export interface HardeningRow {
  /** The area: `fuzz`, `ssrf`, `auth`, `churn`, `soak`, `degradation`. */
  area: string;
  /** What was tried, e.g. `UDP truncated headers`. */
  check: string;
  /** Inputs sent, requests made or cycles run. */
  tried: number;
  /** Tries whose outcome was not the expected one (the test fails unless 0). */
  failures: number;
  /** A short measured fact: RSS peak, answered legit checks, ms. */
  detail?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    hardening?: HardeningRow;
  }
}

/**
 * Records a row on the running test (`it('…', ({ task }) => record(task, …))`) for
 * test/hardening/summary-table.ts, which prints every row once the run ends. Record before asserting, so
 * a failing row is printed too.
 */
export function record(task: { meta: TaskMeta }, row: HardeningRow): void {
  task.meta.hardening = row;
}
