import type { LegitClient } from '../legit-client.js';
import { profile } from '../profile.js';
import type { ServerProcess } from '../server-process.js';
import type { HardeningRow } from '../tally.js';
import { cpuMs } from './cpu-time.js';
import { mib, type RssWatch } from './rss-watch.js';

/** Legit checks per input class (the legit client is checked every count / this many messages). */
const LEGIT_CHECKS_PER_CLASS = 25;
/** Wrong answers described in a failing row, at most. */
const WRONG_SHOWN = 3;
/** Time a class may spend sending, in ms: the test timeout less room for setup and the final checks. */
const SEND_BUDGET_MS = profile.testTimeoutMs - 20_000;

/** The attacked server and what watches it, shared by every class of the fuzz file. */
export interface FuzzEnv {
  server: ServerProcess;
  legit: LegitClient;
  rss: RssWatch;
}

/** What one round of a class did: messages sent, and a description of each wrong answer. */
export interface Round {
  sent: number;
  wrong: string[];
}

/** One input class's run. */
export interface Campaign {
  /** The row name, e.g. `UDP truncated headers`. */
  check: string;
  /** Messages to send (this class's share of `profile.fuzzMessages`). */
  count: number;
  /** The seed of its generator, shown in the row. */
  seed: number;
  /**
   * Sends at most `max` messages (at least 1), waits until the server has handled them, judges what came
   * back. Called until `count` messages are sent.
   */
  round(max: number): Promise<Round>;
  /** Runs once after the last round, for checks over the whole class (e.g. connections closed). */
  finish?(): Promise<string[]>;
  /** A short measured fact added to the row. */
  note?(): string;
}

/** What {@link runCampaign} measured, ready for the summary row. */
export interface CampaignResult {
  row: HardeningRow;
  wrong: string[];
  legitChecks: number;
  legitFailures: number;
  alive: boolean;
  /** Error- or fatal-level lines the server logged during the class (pino levels 50, 60). */
  errorLogs: string[];
}

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /"level":(50|60)/.test(l));
}

/**
 * Runs one input class against the shared server: rounds until its count is sent (within the profile's
 * budget), the legit client checked every count / {@link LEGIT_CHECKS_PER_CLASS} messages and once at the
 * end, RSS sampled after every round. Failures = wrong answers + failed legit checks + the server dead +
 * error lines it logged + the budget running out + RSS above its bound.
 */
export async function runCampaign(env: FuzzEnv, c: Campaign): Promise<CampaignResult> {
  const start = performance.now();
  env.rss.startClass();
  const cpuBefore = cpuMs(env.server.pid);
  const logged = env.server.stderr().length;
  const checksBefore = env.legit.checks;
  const failuresBefore = env.legit.failures;
  const every = Math.max(1, Math.floor(c.count / LEGIT_CHECKS_PER_CLASS));
  const wrong: string[] = [];
  let wrongCount = 0;
  let sent = 0;
  let nextCheck = every;
  let legitMaxMs = 0;
  const check = async (): Promise<void> => {
    legitMaxMs = Math.max(legitMaxMs, (await env.legit.check()).ms);
  };
  while (sent < c.count && performance.now() - start < SEND_BUDGET_MS && env.server.alive()) {
    const r = await c.round(Math.max(1, Math.min(c.count - sent, nextCheck - sent)));
    sent += r.sent;
    wrongCount += r.wrong.length;
    wrong.push(...r.wrong.slice(0, Math.max(0, WRONG_SHOWN - wrong.length)));
    env.rss.sample();
    while (sent >= nextCheck) {
      await check();
      nextCheck += every;
    }
  }
  const finished = c.finish ? await c.finish() : [];
  wrongCount += finished.length;
  wrong.push(...finished.slice(0, Math.max(0, WRONG_SHOWN - wrong.length)));
  await check();
  env.rss.sample();
  const alive = env.server.alive();
  const serverCpuMs = alive ? cpuMs(env.server.pid) - cpuBefore : 0;
  const errorLogs = errorLines(env.server.stderr().slice(logged));
  const short = sent < c.count;
  const overRss = env.rss.classMaxBytes > env.rss.boundBytes;
  const legitChecks = env.legit.checks - checksBefore;
  const legitFailures = env.legit.failures - failuresBefore;
  const failures =
    wrongCount + legitFailures + (alive ? 0 : 1) + errorLogs.length + (short ? 1 : 0) + (overRss ? 1 : 0);
  const share = ((100 * c.count) / profile.fuzzMessages).toFixed(0);
  const elapsedMs = performance.now() - start;
  const detail = [
    `${share}% share, seed 0x${c.seed.toString(16)}`,
    `legit ${legitChecks - legitFailures}/${legitChecks} ok (max ${legitMaxMs.toFixed(0)} ms)`,
    `RSS max ${mib(env.rss.classMaxBytes)} (bound ${mib(env.rss.boundBytes)})`,
    ...(c.note ? [c.note()] : []),
    `${(elapsedMs / 1000).toFixed(1)} s (server CPU ${(serverCpuMs / 1000).toFixed(1)} s)`,
    ...(short ? [`STOPPED after ${sent} of ${c.count}`] : []),
    ...(alive ? [] : ['SERVER DIED']),
    ...(errorLogs.length ? [`${errorLogs.length} error logs`] : []),
    ...(wrongCount ? [`${wrongCount} wrong: ${wrong.join('; ')}`] : []),
  ].join('; ');
  return {
    row: { area: 'fuzz', check: c.check, tried: sent, failures, detail },
    wrong,
    legitChecks,
    legitFailures,
    alive,
    errorLogs,
  };
}
