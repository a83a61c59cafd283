import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsRun } from '../src/lab/exec.js';
import type { LabProcess } from '../src/lab/processes.js';
import { ADDR, type Lab } from '../src/lab/topology.js';
import { ADDR6 } from '../src/lab/topology-ipv6.js';
import { type ProbeReport, probeReportSchema } from '../src/report/schema.js';
import { iceUrlText } from '../src/shared/ice-url.js';
import { coturnStunConfig } from './coturn.js';
import { CLI_PATH, systemTool } from './paths.js';
import { STUN_PORT, startIceDoctorServer, startReportPageServer, waitForStun, waitReady } from './servers.js';

/** pub's four listening addresses of a dual-stack RFC 5780 server: two IPv4, then two IPv6. */
export const DUAL_STACK_ADDRESSES = [
  ADDR.pubPrimary,
  ADDR.pubSecondary,
  ADDR6.pubPrimary,
  ADDR6.pubSecondary,
] as const;

/** The probe's two servers in a dual-stack lab: pub's primary IPv4 and IPv6 address, port 3478. */
export const DUAL_STACK_URLS = [
  iceUrlText('stun', ADDR.pubPrimary, STUN_PORT),
  iceUrlText('stun', ADDR6.pubPrimary, STUN_PORT),
] as const;

/**
 * Starts ice-doctor's bundled server in pub on both families: `serve --listen 203.0.113.10,203.0.113.11,
 * 2001:db8:ff::10,2001:db8:ff::11 --port 3478 --no-report --json` (one RFC 5780 pair per family); resolves
 * once its `--json` line is printed (every socket is bound by then, IPv6 ones included) and the IPv4 side
 * answers a Binding.
 */
export async function startDualStackIceDoctorServer(lab: Lab): Promise<LabProcess> {
  return (await startIceDoctorServer(lab, ['--no-report'], DUAL_STACK_ADDRESSES)).proc;
}

/**
 * The dual-stack bundled server with its report page on 203.0.113.10:8080 ({@link startReportPageServer}):
 * the page then tests STUN and TURN on both families' addresses.
 * @returns the page's URL (`http://203.0.113.10:8080/`).
 */
export function startDualStackReportPageServer(lab: Lab): Promise<string> {
  return startReportPageServer(lab, DUAL_STACK_ADDRESSES);
}

/**
 * Starts coturn 4.6.1 in pub as an RFC 5780 STUN server listening on both families' two addresses
 * (config in the lab's temp dir); resolves once the IPv4 side answers a Binding.
 */
export async function startDualStackCoturn(lab: Lab): Promise<LabProcess> {
  const config = join(lab.tmpDir, 'turnserver-dual.conf');
  writeFileSync(config, coturnStunConfig([...DUAL_STACK_ADDRESSES], STUN_PORT, lab.tmpDir));
  const proc = lab.start('pub', 'coturn (dual stack)', systemTool('turnserver'), ['-c', config]);
  await waitReady(proc, () => waitForStun(lab, ADDR.pubPrimary, STUN_PORT));
  return proc;
}

/** One `ice-doctor probe --json` run from lan: the report (schema-checked), or what went wrong. */
export interface DualStackRun {
  report: ProbeReport | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs `ice-doctor probe --json` in lan against `urls` (default {@link DUAL_STACK_URLS}), at most 20 s. */
export async function runDualStackProbe(
  lab: Lab,
  urls: readonly string[] = DUAL_STACK_URLS,
): Promise<DualStackRun> {
  const r = await nsRun(lab.ns.lan, process.execPath, [CLI_PATH, 'probe', '--json', ...urls], {
    check: false,
    timeoutMs: 20_000,
  });
  const parsed = probeReportSchema.safeParse(safeJson(r.stdout));
  return {
    report: parsed.success ? parsed.data : null,
    stdout: r.stdout,
    stderr: r.stderr,
    durationMs: Math.round(r.durationMs),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
