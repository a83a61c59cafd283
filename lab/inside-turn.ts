import { nsRun } from '../src/lab/exec.js';
import type { LabProcess } from '../src/lab/processes.js';
import { applyScenario } from '../src/lab/scenarios.js';
import { ADDR, IFACE, type Lab } from '../src/lab/topology.js';
import { type CoturnTurn, startCoturnTurnInNs } from './coturn-turn.js';
import { CLI_PATH } from './paths.js';

/*
 * A TURN server INSIDE the lab's lan (100.64.0.2) behind the NAT router, which forwards only the ports the
 * operator opened (DNAT from its public address 203.0.113.1), and masquerades the rest; the router does not
 * hairpin (packets from lan to 203.0.113.1 are not forwarded back in). turn-check runs from pub: the Internet.
 */

/** TURN listening port (UDP and TCP), forwarded by the router in every case. */
export const INSIDE_TURN_PORT = 3478;
/** The relay port range both servers use inside, forwarded only when asked (`forwardInsideTurn`). */
export const INSIDE_RELAY_PORTS: readonly [number, number] = [49160, 49199];
/** Long-term credentials of the inside servers. */
export const INSIDE_USER = { name: 'reach', password: 'Outside-Peer-7c2' } as const;
/** The URL turn-check is pointed at from pub: the router's public address. */
export const INSIDE_TURN_URL = `turn:${ADDR.routerPub}:${INSIDE_TURN_PORT}`;

/**
 * Sets the router of site 0: masquerade lan → pub (scenario `masquerade`, which clears earlier rules and
 * conntrack), DNAT of UDP and TCP {@link INSIDE_TURN_PORT} at 203.0.113.1 to the lan host, and, with
 * `relayRange`, DNAT of UDP {@link INSIDE_RELAY_PORTS} too (what an operator does to open the relay range).
 */
export async function forwardInsideTurn(lab: Lab, relayRange: boolean): Promise<void> {
  await applyScenario(lab, 'masquerade');
  const site = lab.sites[0]!;
  const dnat = (proto: 'udp' | 'tcp', ports: string) =>
    nsRun(site.ns.nat, 'iptables', [
      '-t',
      'nat',
      '-A',
      'PREROUTING',
      '-i',
      IFACE.routerPub,
      '-d',
      site.addr.routerPub,
      '-p',
      proto,
      '--dport',
      ports,
      '-j',
      'DNAT',
      '--to-destination',
      site.addr.lanHost,
    ]);
  await dnat('udp', String(INSIDE_TURN_PORT));
  await dnat('tcp', String(INSIDE_TURN_PORT));
  if (relayRange) await dnat('udp', `${INSIDE_RELAY_PORTS[0]}:${INSIDE_RELAY_PORTS[1]}`);
}

/** A TURN server started in lan: stopped by PID with `stop()`. */
export interface InsideTurn {
  name: string;
  stop(): Promise<void>;
  /** Recent log lines, for a failing test's message. */
  log(): string;
}

/**
 * Starts coturn in lan on 100.64.0.2:{@link INSIDE_TURN_PORT}, relay range {@link INSIDE_RELAY_PORTS},
 * long-term credentials {@link INSIDE_USER}; with `externalIp`, `external-ip=<public>/<private>` (coturn's
 * form behind NAT: XOR-RELAYED-ADDRESS carries the public address).
 */
export async function startInsideCoturn(lab: Lab, externalIp: boolean): Promise<InsideTurn> {
  const coturn: CoturnTurn = await startCoturnTurnInNs(
    lab.ns.lan,
    {
      realm: 'inside.test',
      users: new Map([[INSIDE_USER.name, INSIDE_USER.password]]),
      allowLoopbackPeers: false,
      ip: ADDR.lanHost,
      extra: externalIp ? [`external-ip=${ADDR.routerPub}/${ADDR.lanHost}`] : [],
    },
    { port: INSIDE_TURN_PORT, tlsPort: 0, relayPorts: [...INSIDE_RELAY_PORTS] },
  );
  return { name: 'coturn', stop: () => coturn.stop(), log: () => coturn.log() };
}

/**
 * Starts `ice-doctor serve` (dist/cli.js) in lan on 100.64.0.2:{@link INSIDE_TURN_PORT}, relay range
 * {@link INSIDE_RELAY_PORTS}, user {@link INSIDE_USER}, peers in 203.0.113.0/24 allowed (the lab's "public"
 * range is a documentation block, denied by default), no report page; with `externalIp`,
 * `--external-ip 203.0.113.1`. Resolves once its `--json` line is printed (max 15 s).
 * @throws Error with the server's output when it does not start.
 */
export async function startInsideBundled(lab: Lab, externalIp: boolean): Promise<InsideTurn> {
  const proc: LabProcess = lab.start('lan', 'ice-doctor serve (inside)', process.execPath, [
    CLI_PATH,
    'serve',
    '--listen',
    ADDR.lanHost,
    '--port',
    String(INSIDE_TURN_PORT),
    '--relay-ports',
    `${INSIDE_RELAY_PORTS[0]}-${INSIDE_RELAY_PORTS[1]}`,
    '--user',
    `${INSIDE_USER.name}:${INSIDE_USER.password}`,
    '--allow-peer',
    '203.0.113.0/24',
    '--no-report',
    '--json',
    ...(externalIp ? ['--external-ip', ADDR.routerPub] : []),
  ]);
  try {
    await proc.waitForLine((l) => l.trimStart().startsWith('{') && l.includes('"udp"'), 15_000);
  } catch (err) {
    await proc.stop();
    throw new Error(
      `ice-doctor serve did not start in lan: ${(err as Error).message}\n${proc.lines.join('\n')}`,
    );
  }
  return { name: 'ice-doctor serve', stop: () => proc.stop(), log: () => proc.lines.join('\n') };
}

/** One `turn-check --json` run from pub: its exit code and stdout. */
export interface OutsideTurnCheck {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <cli> turn-check turn:203.0.113.1:3478 --user … --password … --json` in pub (outside the NAT),
 * at most 30 s. `cli` defaults to this tree's dist/cli.js (another build can be given, e.g. a base commit's).
 */
export async function turnCheckFromPub(
  lab: Lab,
  extraArgs: readonly string[] = [],
  cli: string = CLI_PATH,
): Promise<OutsideTurnCheck> {
  const r = await nsRun(
    lab.ns.pub,
    process.execPath,
    [
      cli,
      'turn-check',
      INSIDE_TURN_URL,
      '--user',
      INSIDE_USER.name,
      '--password',
      INSIDE_USER.password,
      '--timeout',
      '8000',
      ...extraArgs,
    ],
    { check: false, timeoutMs: 30_000 },
  );
  return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
}
