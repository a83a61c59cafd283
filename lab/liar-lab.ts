import { fileURLToPath } from 'node:url';
import { nsRun, run } from '../src/lab/exec.js';
import { loadRuleset } from '../src/lab/guard.js';
import type { LabProcess } from '../src/lab/processes.js';
import { EXPECTED, PROBE_EXPECTED, type Scenario } from '../src/lab/scenarios.js';
import { ADDR, IFACE, type Lab } from '../src/lab/topology.js';
import { iceUrlText } from '../src/shared/ice-url.js';
import { CLI_PATH } from './paths.js';
import { STUN_PORT, startCoturn, waitForStun } from './servers.js';
import { TOOL_TIMEOUT_MS } from './tools.js';
import { type JudgeMode, type OpenVerdict, VERDICT_FIELDS } from './verdict-judge.js';

/**
 * Extra pub addresses for the misbehaving servers (TEST-NET-3, next to coturn's 203.0.113.10/.11):
 * `liar` and `liarSamePort` have one IP each, `ignoresChange` two, `dead` is configured in pub but
 * black-holed.
 */
export const LIAR_ADDR = {
  liar: '203.0.113.20',
  liarSamePort: '203.0.113.21',
  ignoresChange: ['203.0.113.30', '203.0.113.31'],
  dead: '203.0.113.40',
} as const;

/**
 * The lab's STUN servers by role, as `stun:` URLs (RFC 7064), all on port 3478:
 * - `good`: coturn on 203.0.113.10/.11, a true RFC 5780 server;
 * - `liar`: OTHER-ADDRESS with its own IP (port 3479, where it listens too); it answers change-port from
 *   3479 and every change-IP request from its own single IP (see `LiarSpec` in stun-liar.ts);
 * - `liarSamePort`: one IP, one port, OTHER-ADDRESS = exactly the address asked; every reply from it;
 * - `ignoresChange`: a genuine second IP in OTHER-ADDRESS (203.0.113.31:3479), answering every request
 *   from the address it came to, CHANGE-REQUEST or not;
 * - `dead`: nothing answers, UDP or TCP, and no ICMP comes back.
 */
export const LAB_SERVERS = {
  good: iceUrlText('stun', ADDR.pubPrimary, STUN_PORT),
  liar: iceUrlText('stun', LIAR_ADDR.liar, STUN_PORT),
  liarSamePort: iceUrlText('stun', LIAR_ADDR.liarSamePort, STUN_PORT),
  ignoresChange: iceUrlText('stun', LIAR_ADDR.ignoresChange[0], STUN_PORT),
  dead: iceUrlText('stun', LIAR_ADDR.dead, STUN_PORT),
} as const;

/** A role of {@link LAB_SERVERS}. */
export type LabServer = keyof typeof LAB_SERVERS;

const AGENT = fileURLToPath(new URL('./liar-agent.ts', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

/**
 * Black hole in pub for {@link LIAR_ADDR.dead}: every packet to it is dropped on input (UDP, TCP, ICMP), so
 * no port-unreachable, no RST and no ARP failure (the address is configured) ever tells the sender.
 */
const BLACK_HOLE = `
table inet idl_blackhole {
  chain input {
    type filter hook input priority filter; policy accept;
    ip daddr ${LIAR_ADDR.dead} drop
  }
}
`;

async function startAgent(lab: Lab, name: string, args: readonly string[]): Promise<LabProcess> {
  const proc = lab.start('pub', name, process.execPath, ['--import', 'tsx', AGENT, ...args]);
  try {
    await proc.waitForLine((l) => l === 'ready', READY_TIMEOUT_MS);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}

/**
 * Starts every server of {@link LAB_SERVERS} in pub: adds the extra addresses to pub's bridge, loads the
 * black hole, starts the two misbehaving servers (`liar-agent.ts`) and coturn, and
 * waits until each answering one answers a Binding request. Teardown of the lab removes it all.
 */
export async function startLabServers(lab: Lab): Promise<void> {
  const { pub } = lab.ns;
  const extra = [LIAR_ADDR.liar, LIAR_ADDR.liarSamePort, ...LIAR_ADDR.ignoresChange, LIAR_ADDR.dead];
  for (const address of extra)
    await run('ip', ['-n', pub, 'addr', 'add', `${address}/${ADDR.prefix}`, 'dev', IFACE.pubBridge]);
  await loadRuleset(pub, BLACK_HOLE);
  const ports = `${STUN_PORT},${STUN_PORT + 1}`;
  await startAgent(lab, 'liar', [
    '--listen',
    LIAR_ADDR.liar,
    '--ports',
    ports,
    '--other',
    `${LIAR_ADDR.liar}:${STUN_PORT + 1}`,
    '--honour-change-port',
  ]);
  const samePort = `${LIAR_ADDR.liarSamePort}:${STUN_PORT}`;
  await startAgent(lab, 'liar (same port)', [
    '--listen',
    LIAR_ADDR.liarSamePort,
    '--ports',
    String(STUN_PORT),
    '--other',
    samePort,
  ]);
  await startAgent(lab, 'ignores CHANGE-REQUEST', [
    '--listen',
    LIAR_ADDR.ignoresChange.join(','),
    '--ports',
    ports,
    '--other',
    `${LIAR_ADDR.ignoresChange[1]}:${STUN_PORT + 1}`,
  ]);
  await startCoturn(lab);
  await waitForStun(lab, LIAR_ADDR.liar, STUN_PORT);
  await waitForStun(lab, LIAR_ADDR.liarSamePort, STUN_PORT);
  await waitForStun(lab, LIAR_ADDR.ignoresChange[0], STUN_PORT);
}

/** What a report may claim with these servers in `scenario`, and how strictly it is judged. */
export interface Truth {
  verdict: OpenVerdict;
  mode: JudgeMode;
}

/**
 * The truth a report must give with `servers` in `scenario`:
 * - with the good server in the list: exactly {@link PROBE_EXPECTED} (the good server's verdicts: the truth,
 *   but for the filtering behind masquerade-random, which no server can prove through that NAT);
 * - with only the dead server: nothing is known, every field null (with a reason);
 * - otherwise (liars answer): each field {@link EXPECTED} or null with a reason, never another value.
 */
export function truthFor(scenario: Scenario, servers: readonly LabServer[]): Truth {
  if (servers.includes('good')) return { verdict: PROBE_EXPECTED[scenario], mode: 'exact' };
  if (servers.every((s) => s === 'dead')) {
    const verdict = Object.fromEntries(VERDICT_FIELDS.map((f) => [f, null])) as OpenVerdict;
    return { verdict, mode: 'exact' };
  }
  return { verdict: EXPECTED[scenario], mode: 'exact-or-null' };
}

/**
 * The servers a report must name as untrusted: each liar whenever UDP reaches it (its OTHER-ADDRESS shows
 * the lie in the first answer); the server ignoring CHANGE-REQUEST when UDP reaches it and no good server
 * is there to be chosen instead (it is then the only RFC 5780 candidate and must be tested).
 */
export function mustNameUntrusted(scenario: Scenario, servers: readonly LabServer[]): LabServer[] {
  if (scenario === 'udp-dropped') return [];
  const named: LabServer[] = servers.filter((s) => s === 'liar' || s === 'liarSamePort');
  if (servers.includes('ignoresChange') && !servers.includes('good')) named.push('ignoresChange');
  return named;
}

/** The two commands run from lan: `probe --json URL...` and the main job `--json --server URL...`. */
export type LabCommand = 'probe' | 'main';

/** Deadline given to both commands (`--timeout`), in ms: a dead server that held the report costs this. */
export const COMMAND_TIMEOUT_MS = 8_000;

/** One command run from lan: its parsed JSON (null with `error` when there is none) and wall time. */
export interface CommandRun {
  report: Record<string, unknown> | null;
  error?: string;
  exitCode: number | null;
  /** Spawn to exit, in ms, as a user sees it. */
  durationMs: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js probe --json --timeout MS URL...` or `node dist/cli.js --json --timeout MS --server
 * URL...` in lan with the URLs of `servers`, killed after 20 s.
 * @param timeoutMs the `--timeout` given (default {@link COMMAND_TIMEOUT_MS}); null: none, the command's own.
 */
export async function runFromLan(
  lab: Lab,
  command: LabCommand,
  servers: readonly LabServer[],
  timeoutMs: number | null = COMMAND_TIMEOUT_MS,
): Promise<CommandRun> {
  const urls = servers.map((s) => LAB_SERVERS[s]);
  const timeout = timeoutMs === null ? [] : ['--timeout', String(timeoutMs)];
  const args =
    command === 'probe'
      ? [CLI_PATH, 'probe', '--json', ...timeout, ...urls]
      : [CLI_PATH, '--json', ...timeout, '--server', ...urls];
  const r = await nsRun(lab.ns.lan, process.execPath, args, { check: false, timeoutMs: TOOL_TIMEOUT_MS });
  const base = {
    exitCode: r.code,
    durationMs: Math.round(r.durationMs),
    stdout: r.stdout,
    stderr: r.stderr,
  };
  if (r.timedOut) return { ...base, report: null, error: `killed after ${TOOL_TIMEOUT_MS} ms` };
  try {
    return { ...base, report: JSON.parse(r.stdout) as Record<string, unknown> };
  } catch {
    return { ...base, report: null, error: `stdout is not JSON (exit ${String(r.code)})` };
  }
}
