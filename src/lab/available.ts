import { run } from './exec.js';

/**
 * True only when the NAT lab can run here: we are root, `ip netns add` works (a probe namespace is
 * created and deleted again) and `iptables`, `nft`, `conntrack` run. Lab suites use
 * `describe.skipIf(!(await labAvailable()))` so they are reported as skipped, never as passed.
 */
export async function labAvailable(): Promise<boolean> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  const probe = `idl-${process.pid}-avail`;
  const added = await run('ip', ['netns', 'add', probe], { check: false });
  if (added.code !== 0) return false;
  await run('ip', ['netns', 'del', probe], { check: false });
  for (const [cmd, arg] of [
    ['iptables', '--version'],
    ['nft', '--version'],
    ['conntrack', '--version'],
  ] as const) {
    const tool = await run(cmd, [arg], { check: false });
    if (tool.code !== 0) return false;
  }
  return true;
}

/** Most repetitions {@link labRuns} accepts, to keep every loop bounded. */
const MAX_RUNS = 100;

/**
 * How many times each lab check repeats, from env `NATLAB_RUNS` (default 1; clamped to 1..100). Acceptance
 * asks for 10/10: `NATLAB_RUNS=10`.
 */
export function labRuns(): number {
  const parsed = Number.parseInt(process.env.NATLAB_RUNS ?? '1', 10);
  return Number.isFinite(parsed) ? Math.min(Math.max(parsed, 1), MAX_RUNS) : 1;
}
