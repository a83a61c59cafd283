/**
 * Counts the timers alive in this process, unref'd ones included (`process.getActiveResourcesInfo()`
 * lists only ref'd timers, and the server unrefs its sweeps): while installed, the global `setTimeout`,
 * `setInterval`, `clearTimeout` and `clearInterval` are wrapped so that each timeout is counted until it
 * fires or is cleared, and each interval until it is cleared. Timers made before {@link install} are not
 * seen.
 */
export interface TimerTracker {
  /** Timers made since install that have neither fired (timeouts) nor been cleared. */
  live(): number;
  /** Puts the original functions back. */
  uninstall(): void;
}

/** Wraps the global timer functions (see {@link TimerTracker}). */
export function installTimerTracker(): TimerTracker {
  const original = { setTimeout, setInterval, clearTimeout, clearInterval };
  const alive = new Set<unknown>();
  const g = globalThis as unknown as Record<keyof typeof original, unknown>;
  g.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = original.setTimeout(
      (...a: unknown[]) => {
        alive.delete(handle);
        fn(...a);
      },
      ms,
      ...args,
    );
    alive.add(handle);
    return handle;
  };
  g.setInterval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = original.setInterval(fn, ms, ...args);
    alive.add(handle);
    return handle;
  };
  const clear = (handle: NodeJS.Timeout | string | number | undefined): void => {
    alive.delete(handle);
    original.clearTimeout(handle);
  };
  g.clearTimeout = clear;
  g.clearInterval = clear;
  return {
    live: () => alive.size,
    uninstall: () => Object.assign(globalThis, original),
  };
}
