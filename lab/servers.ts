import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBundledServer } from '../src/lab/bundled-server.js';
import { nsRun } from '../src/lab/exec.js';
import type { LabProcess } from '../src/lab/processes.js';
import { ADDR, type Lab } from '../src/lab/topology.js';
import type { ServeLine } from '../src/report/serve-schema.js';
import { coturnStunConfig } from './coturn.js';
import { agentArgs, CLI_PATH, systemTool } from './paths.js';

/** UDP port of the RFC 5780 servers in pub (coturn or ice-doctor; alternate port = this + 1). */
export const STUN_PORT = 3478;
/** Primary port of `stund` in pub (alternate 3481), distinct so it can run next to coturn. */
export const STUND_PORT = 3480;

/**
 * Waits until a STUN server at `address:port` (in pub) answers a Binding request, checked from inside pub
 * with `udp-agent.ts stun-ping` (at most 5 s per attempt, 3 attempts).
 */
export async function waitForStun(lab: Lab, address: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ping = await nsRun(lab.ns.pub, process.execPath, agentArgs('stun-ping', address, String(port)), {
      check: false,
      timeoutMs: 10_000,
    });
    if (ping.code === 0) return;
  }
  throw new Error(`no STUN answer from ${address}:${port}`);
}

/**
 * Starts coturn 4.6.1 in pub as an RFC 5780 STUN server: config written to the lab's temp dir (never the
 * system config), listening on both pub addresses, ports `port` (default 3478) and `port + 1` (two
 * listening IPs + the alternate port enable CHANGE-REQUEST / OTHER-ADDRESS), no auth, STUN only, no
 * CLI/TLS/DTLS, log to stdout. Resolves once it answers a Binding request; teardown kills it by PID.
 */
export async function startCoturn(lab: Lab, port = STUN_PORT): Promise<LabProcess> {
  const config = join(lab.tmpDir, `turnserver-${port}.conf`);
  writeFileSync(config, coturnStunConfig([ADDR.pubPrimary, ADDR.pubSecondary], port, lab.tmpDir));
  const proc = lab.start('pub', 'coturn', systemTool('turnserver'), ['-c', config]);
  await waitReady(proc, () => waitForStun(lab, ADDR.pubPrimary, port));
  return proc;
}

/**
 * Starts Debian's `stund` 0.97 (RFC 3489 server) in pub on 203.0.113.10/.11, ports 3480/3481.
 * Resolves once it answers a Binding request.
 */
export async function startStund(lab: Lab): Promise<LabProcess> {
  const proc = lab.start('pub', 'stund', systemTool('stund'), [
    '-h',
    ADDR.pubPrimary,
    '-a',
    ADDR.pubSecondary,
    '-p',
    String(STUND_PORT),
    '-o',
    String(STUND_PORT + 1),
  ]);
  await waitReady(proc, () => waitForStun(lab, ADDR.pubPrimary, STUND_PORT));
  return proc;
}

/**
 * Starts ice-doctor's bundled server in pub (src/lab/bundled-server.ts, the lab's one starter): `node
 * dist/cli.js serve --listen 203.0.113.10,203.0.113.11 --port 3478 --json [extraArgs]` (the report page on
 * 8080/8443 unless `--no-report` is among them), waits for its `--json` line (max 15 s;
 * src/report/serve-schema.ts) and for a Binding answer on 203.0.113.10.
 * @param listen the addresses of `--listen` (default pub's two IPv4 ones; a dual-stack lab adds its IPv6 pair).
 */
export async function startIceDoctorServer(
  lab: Lab,
  extraArgs: readonly string[] = [],
  listen: readonly string[] = [ADDR.pubPrimary, ADDR.pubSecondary],
): Promise<{ proc: LabProcess; ready: ServeLine }> {
  const { proc, ready } = await startBundledServer(lab, CLI_PATH, listen, extraArgs);
  await waitReady(proc, () => waitForStun(lab, ADDR.pubPrimary, STUN_PORT));
  return { proc, ready };
}

/**
 * Starts ice-doctor's bundled server in pub for the report page tests ({@link startIceDoctorServer}): relaying
 * to pub's addresses (`--allow-peer 203.0.113.0/24`), the page on 8080 and 8443, listening on `listen`.
 * @returns the page's HTTP URL (`http://203.0.113.10:8080/`).
 * @throws Error when serve prints no report URL.
 */
export async function startReportPageServer(lab: Lab, listen?: readonly string[]): Promise<string> {
  const { ready } = await startIceDoctorServer(
    lab,
    ['--allow-peer', '203.0.113.0/24', '--report-port', '8080', '--report-https-port', '8443'],
    listen,
  );
  if (!ready.report?.url) throw new Error('serve printed no report URL');
  return ready.report.url;
}

/** Runs `check`; if it fails, stops `proc` and rethrows with the process's recent output attached. */
export async function waitReady(proc: LabProcess, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    await proc.stop();
    throw new Error(`${proc.name} not ready: ${(err as Error).message}\n${proc.lines.slice(-30).join('\n')}`);
  }
}

/**
 * The two RFC 5780 servers the lab tests run every probe against, each started in pub on 203.0.113.10/.11
 * port 3478: the bundled server and coturn. `start` resolves once the server answers a Binding request.
 */
export const PROBE_SERVERS = [
  { name: 'ice-doctor serve', start: async (lab: Lab) => (await startIceDoctorServer(lab)).proc },
  { name: 'coturn', start: (lab: Lab) => startCoturn(lab) },
] as const;
