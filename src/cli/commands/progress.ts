/**
 * A one-line progress indicator on stderr, shown only when stderr is a TTY: the current step and the
 * seconds elapsed, redrawn every 100 ms, erased by `stop()`.
 */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

/** Starts a progress line (a no-op when stderr is not a TTY, so pipes and `--json` stay clean). */
export function startProgress(initial: string): Progress {
  const stream = process.stderr;
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const started = Date.now();
  let text = initial;
  let i = 0;
  const draw = (): void => {
    const s = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${frames[i++ % frames.length]} ${text} (${s} s)`);
  };
  const timer = setInterval(draw, 100);
  draw();
  return {
    update: (t) => {
      text = t;
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
