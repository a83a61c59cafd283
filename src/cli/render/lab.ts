// What `ice-doctor lab` prints once its lab is built: the human description, or the one JSON line of
// `--json`.

import type { UserLab } from '../../lab/user-lab.js';
import { labEnv } from '../../lab/user-lab.js';

/** The `lab --json` line, before JSON.stringify: what was built and how to use it. */
export interface LabLine {
  nat: string;
  description: string;
  /** Prefix of every namespace, process and temp dir of this lab (`idl-<pid>-<n>`). */
  id: string;
  /** Namespace name per role (`lan` is where commands run). */
  namespaces: Readonly<Record<string, string | undefined>>;
  /** The client host's address in `lan`. */
  clientAddress: string;
  /** PID of the bundled server (killed at teardown). */
  serverPid: number;
  stun: readonly string[];
  turn: readonly string[];
  turnUser: { readonly username: string; readonly password: string } | null;
  page: string | null;
  /** What a command run inside gets in its environment (docs/lab.md). */
  env: Record<string, string>;
  /** The bundled server's own `serve --json` line (src/report/serve-schema.ts). */
  serve: UserLab['server']['ready'];
}

/** The {@link LabLine} of a built lab. */
export function labLine(userLab: UserLab): LabLine {
  const { lab, server, endpoints } = userLab;
  return {
    nat: userLab.nat,
    description: userLab.plan.description,
    id: lab.id,
    namespaces: lab.ns,
    clientAddress: lab.sites[0]!.addr.lanHost,
    serverPid: server.proc.pid,
    stun: endpoints.stun,
    turn: endpoints.turn,
    turnUser: endpoints.turnUser,
    page: endpoints.page,
    env: labEnv(userLab),
    serve: server.ready,
  };
}

/**
 * The human description of a built lab: the network, its namespaces and addresses, the server's URLs and
 * credentials, and how to run commands behind the NAT.
 * @param program how to run this CLI from the user's shell (src/cli/invocation.ts), for the hints.
 */
export function renderLabText(userLab: UserLab, program: string): string {
  const line = labLine(userLab);
  const listen = [...new Set(line.serve.udp.map((a) => a.address))].join(', ');
  const namespaces = Object.entries(line.namespaces)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([role, name]) => `${role} ${name}`)
    .join(', ');
  const lines = [
    `NAT lab '${line.nat}': ${line.description}`,
    `  namespaces  ${namespaces}`,
    `  client      ${line.clientAddress} in ${line.namespaces.lan} (behind the router)`,
    `  server      ice-doctor serve on ${listen} in ${line.namespaces.pub}, PID ${line.serverPid}`,
    `  STUN        ${line.stun.join('  ')}`,
    `  TURN        ${line.turn.join('\n              ')}`,
  ];
  if (line.turnUser)
    lines.push(`  user        ${line.turnUser.username} / password ${line.turnUser.password}`);
  if (line.page) lines.push(`  page        ${line.page}`);
  lines.push(
    'Run a command behind the NAT while this lab runs (as root):',
    `  ip netns exec ${line.namespaces.lan} <command>`,
    'or give one command a lab of its own (the variables ICE_DOCTOR_LAB_* name the server):',
    `  ${program} lab run --nat ${line.nat} -- ${program} probe`,
    'Ctrl-C (or SIGTERM) tears the lab down: processes, namespaces, temp dir.',
  );
  return `${lines.join('\n')}\n`;
}
