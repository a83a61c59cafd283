/**
 * Verdict time of `turn-check turns:` pointed at a plain TCP port that stays silent after the TLS
 * ClientHello (as a STUN framer reading it as the start of a long message does), in two kinds:
 * `plain-stun` answers a STUN Binding request over plain TCP (a plain `turn:` port), `silent` answers
 * nothing. Loopback only; each kind is checked `RUNS` times. Writes
 * bench/results/turns-plain-port-<timestamp>.json and prints it: per kind the median wall time of the
 * target's check in ms and the diagnosis code.
 *
 * Usage: `npx tsx bench/turns-plain-port.ts [label]` (label, e.g. `before`/`after`, is stored as is).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plainStunPort } from '../lab/plain-stun-port.js';
import { runTurnCheck } from '../src/client/turn-check/run.js';
import { parseTurnTargets } from '../src/client/url/turn-url.js';

const RUNS = 5;

async function measure(stun: boolean): Promise<{ medianMs: number; code: string }> {
  const server = await plainStunPort(stun);
  const port = (server.address() as { port: number }).port;
  const times: number[] = [];
  let code = '';
  for (let i = 0; i < RUNS; i++) {
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turns:127.0.0.1:${port}`]),
      credentials: { credentials: { username: 'a', password: 'b' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 10_000,
    });
    times.push(r.targets[0]!.durationMs);
    code = r.targets[0]!.diagnoses[0]?.code ?? '';
  }
  server.close();
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(RUNS / 2)]!, code };
}

const result = {
  label: process.argv[2] ?? null,
  date: new Date().toISOString(),
  runs: RUNS,
  'plain-stun': await measure(true),
  silent: await measure(false),
};
const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, `turns-plain-port-${result.date.replace(/[:.]/g, '-')}.json`),
  `${JSON.stringify(result, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
