/**
 * The page's clock and deadlines (plan → run → report: every wait has an end, so the page never hangs).
 */

/** Milliseconds since the run started, to 0.1 ms (`performance.now()`, monotonic). */
export type RunClock = () => number;

/** A {@link RunClock} that starts now. */
export function startClock(): RunClock {
  const startMs = performance.now();
  return () => Math.round((performance.now() - startMs) * 10) / 10;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves after the browser painted the next frame (two `requestAnimationFrame`s; a hidden tab gets none,
 * so at most 100 ms): lets what was just shown reach the screen before heavy work starts.
 */
export function painted(): Promise<void> {
  return withDeadline(
    new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
    100,
    () => undefined,
  );
}

/**
 * Settles like `promise`, or resolves with `onTimeout()` when `promise` has not settled within `ms`
 * milliseconds (the timer is cleared either way).
 */
function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** An AbortSignal that aborts after `ms` with `why` as its reason (a sentence fragment: "did not connect within 5 s"). */
export function deadlineSignal(ms: number, why: string): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(why), ms);
  return controller.signal;
}

/** `1.2 s` for 1234 ms, `850 ms` below a second, `0.4 ms` below 10 ms. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
