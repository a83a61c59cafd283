/**
 * Waits for a predicate over state that event handlers change: each handler calls {@link poke} after a
 * change, and the one pending {@link wait} resolves as soon as its predicate holds (no polling delay).
 */
export class Condition {
  private pending: { check: () => boolean; done: (ok: boolean) => void } | null = null;

  /** Resolves `true` once `check()` holds, or `false` after `timeoutMs`. One wait at a time. */
  wait(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = null;
        resolve(false);
      }, timeoutMs);
      this.pending = {
        check,
        done: (ok) => {
          clearTimeout(timer);
          this.pending = null;
          resolve(ok);
        },
      };
    });
  }

  /** Re-checks the pending wait's predicate. */
  poke(): void {
    if (this.pending?.check()) this.pending.done(true);
  }
}
