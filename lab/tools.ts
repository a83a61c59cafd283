import { nsRun } from '../src/lab/exec.js';
import type { Verdict } from '../src/lab/scenarios.js';
import { ADDR, type Lab } from '../src/lab/topology.js';
import { iceUrlText } from '../src/shared/ice-url.js';
import { parseNatDiscovery, parseProbeJson, parseStunClient } from './parsers.js';
import { CLI_PATH, systemTool } from './paths.js';
import { STUN_PORT, STUND_PORT } from './servers.js';

/** One run of a NAT discovery tool from lan. */
export interface ToolRun {
  /** Parsed verdict, or `null` when the output could not be parsed (see `error`). */
  verdict: Verdict | null;
  /** Wall time from spawn to exit, in ms (includes process start-up, as a user would see). */
  durationMs: number;
  /** Exit code; `null` when killed (timeout). */
  exitCode: number | null;
  timedOut: boolean;
  /** Why `verdict` is null, or a non-fatal problem; absent when all went well. */
  error?: string;
  stdout: string;
  stderr: string;
}

/** Hard limit for one tool run, in ms; a hang fails instead of blocking the suite. */
export const TOOL_TIMEOUT_MS = 20_000;

/** The ICE server URL (RFC 7064) the probe is pointed at: coturn or ice-doctor serve in pub. */
export const PROBE_URL = iceUrlText('stun', ADDR.pubPrimary, STUN_PORT);

/**
 * Runs `node dist/cli.js probe --json stun:203.0.113.10:3478` in lan and parses the contract fields of its
 * JSON stdout. A non-JSON stdout or an out-of-contract value gives `verdict: null` with the reason.
 */
export function runIceDoctorProbe(lab: Lab, timeoutMs = TOOL_TIMEOUT_MS): Promise<ToolRun> {
  return runTool(lab, process.execPath, [CLI_PATH, 'probe', '--json', PROBE_URL], timeoutMs, (r) =>
    parseProbeJson(r.stdout),
  );
}

/** Runs coturn's `turnutils_natdiscovery -m -f 203.0.113.10` (port 3478) in lan against coturn in pub. */
export function runNatDiscovery(lab: Lab, timeoutMs = TOOL_TIMEOUT_MS): Promise<ToolRun> {
  return runTool(
    lab,
    'turnutils_natdiscovery',
    ['-m', '-f', '-p', String(STUN_PORT), ADDR.pubPrimary],
    timeoutMs,
    (r) => parseNatDiscovery(`${r.stdout}\n${r.stderr}`),
  );
}

/** Runs the classic `stun 203.0.113.10:3480` client in lan against `stund` in pub. */
export function runStunClient(lab: Lab, timeoutMs = TOOL_TIMEOUT_MS): Promise<ToolRun> {
  return runTool(lab, systemTool('stun'), [`${ADDR.pubPrimary}:${STUND_PORT}`], timeoutMs, (r) =>
    parseStunClient(`${r.stdout}\n${r.stderr}`),
  );
}

async function runTool(
  lab: Lab,
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
  parse: (r: { stdout: string; stderr: string }) => Verdict,
): Promise<ToolRun> {
  const result = await nsRun(lab.ns.lan, cmd, args, { check: false, timeoutMs });
  const base = {
    durationMs: Math.round(result.durationMs),
    exitCode: result.code,
    timedOut: result.timedOut,
    stdout: result.stdout,
    stderr: result.stderr,
  };
  if (result.timedOut) return { ...base, verdict: null, error: `timed out after ${timeoutMs} ms` };
  try {
    return { ...base, verdict: parse(result) };
  } catch (err) {
    return { ...base, verdict: null, error: `${(err as Error).message}; exit ${String(result.code)}` };
  }
}
