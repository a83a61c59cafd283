import { isIPv6 } from 'node:net';
import type { ServeLine } from '../report/serve-schema.js';
import { hostPort } from '../shared/address-text.js';
import { type BundledServer, startBundledServer } from './bundled-server.js';
import { run } from './exec.js';
import { ALLOWED_NETS, ALLOWED_NETS6 } from './guard.js';
import { LAB_NATS, type LabNat, type LabNatPlan } from './lab-nats.js';
import { labProxyUrl } from './scenario-proxy.js';
import { applyScenario } from './scenarios.js';
import { createLab, destroyLab, IFACE, type Lab } from './topology.js';

/**
 * TLS port of the bundled server in a user's lab: 443, where deployments put TURN over TLS so that it passes
 * firewalls and proxies that allow only HTTPS (the page's HTTPS stays on 8443).
 */
export const USER_LAB_TLS_PORT = 443;

/** Most addresses per family `serve --listen` takes (RFC 5780: two IPs). */
const LISTEN_PER_FAMILY = 2;

/** Where the user's programs reach the bundled server, from its `serve --json` line. */
export interface LabEndpoints {
  /** `stun:` URL of each family's primary address and port (A1:P1), IPv4 first. */
  readonly stun: readonly string[];
  /** The TURN URLs serve prints (UDP, TCP, then `turns:`). */
  readonly turn: readonly string[];
  /** The TURN user serve generated (no `--user` given), password included. */
  readonly turnUser: { readonly username: string; readonly password: string } | null;
  /** The report page's HTTP URL, null when off. */
  readonly page: string | null;
}

/** A lab built for a user: the `--nat` network, its namespaces and the bundled server running in pub. */
export interface UserLab {
  readonly nat: LabNat;
  readonly plan: LabNatPlan;
  readonly lab: Lab;
  readonly server: BundledServer;
  readonly endpoints: LabEndpoints;
}

/**
 * Builds the network of `nat` ({@link LAB_NATS}: topology options, then the router scenario) and starts the
 * bundled server in pub on pub's addresses (up to two per family), relaying to the lab's ranges
 * ({@link ALLOWED_NETS}, {@link ALLOWED_NETS6}), TURN over TLS on {@link USER_LAB_TLS_PORT}, the report page on its default ports.
 * Works the same for every {@link LAB_NATS} entry: nothing here knows a scenario by name.
 * @param cliPath the ice-doctor CLI to run the server with (`ice-doctor lab` passes its own path).
 * @param say receives one progress line per step (the build takes 1–3 s).
 * @throws Error from any step, after tearing down what was built; also when the plan is dual stack
 *   (`options.ipv6`) but pub has no usable IPv6 address (the IPv6 scenarios would then be IPv4 only).
 */
export async function openUserLab(
  nat: LabNat,
  cliPath: string,
  say: (line: string) => void,
): Promise<UserLab> {
  const plan: LabNatPlan = LAB_NATS[nat];
  say('creating the network namespaces');
  const lab = await createLab(plan.options);
  try {
    say(`setting up the router: ${nat}`);
    await applyScenario(lab, plan.scenario);
    say('starting the bundled STUN/TURN server in pub');
    const allowPeers = [...ALLOWED_NETS, ...ALLOWED_NETS6].flatMap((net) => ['--allow-peer', net]);
    const listen = await pubAddresses(lab);
    if (plan.options.ipv6 === true && !listen.some((address) => isIPv6(address)))
      throw new Error(`${nat} is dual stack but the lab got no IPv6 address in pub (is IPv6 disabled here?)`);
    const server = await startBundledServer(lab, cliPath, listen, [
      ...allowPeers,
      '--tls-port',
      String(USER_LAB_TLS_PORT),
    ]);
    return { nat, plan, lab, server, endpoints: labEndpoints(server.ready) };
  } catch (err) {
    await destroyLab(lab);
    throw err;
  }
}

/** One address of `ip -j addr show` (the fields read here). */
interface IpAddrInfo {
  family?: string;
  local?: string;
  scope?: string;
  tentative?: boolean;
  dadfailed?: boolean;
}

/**
 * The global addresses on pub's bridge, in the order they were added (the lab's primary first), at most
 * two per family; addresses still in IPv6 duplicate address detection (not bindable yet) are left out.
 */
export async function pubAddresses(lab: Lab): Promise<string[]> {
  const shown = await run('ip', ['-j', '-n', lab.ns.pub, 'addr', 'show', 'dev', IFACE.pubBridge]);
  const links = JSON.parse(shown.stdout) as { addr_info?: IpAddrInfo[] }[];
  const usable = links
    .flatMap((l) => l.addr_info ?? [])
    .filter((a) => a.scope === 'global' && a.local !== undefined && !a.tentative && !a.dadfailed);
  const picked: string[] = [];
  for (const family of ['inet', 'inet6'])
    for (const a of usable.filter((x) => x.family === family).slice(0, LISTEN_PER_FAMILY))
      picked.push(a.local as string);
  return picked;
}

/**
 * The endpoints of a `serve --json` line: a `stun:` URL per family on its first UDP socket (A1:P1, which
 * serve lists first per family), the TURN URLs, the generated user and the page.
 */
export function labEndpoints(ready: ServeLine): LabEndpoints {
  const stun: string[] = [];
  for (const family of ['IPv4', 'IPv6'] as const) {
    const primary = ready.udp.find((a) => a.family === family);
    if (primary) stun.push(`stun:${hostPort(primary.address, primary.port)}`);
  }
  return {
    stun,
    turn: ready.turn.urls,
    turnUser: ready.turn.generatedUser,
    page: ready.report?.url ?? null,
  };
}

/**
 * The environment variables a command run inside the lab gets besides the caller's (docs/lab.md):
 * `ICE_DOCTOR_LAB_NAT`, `ICE_DOCTOR_LAB_STUN` (IPv4 primary, else the first), `ICE_DOCTOR_LAB_TURN` (the
 * first TURN URL), `ICE_DOCTOR_LAB_TURN_URLS` (all, comma-separated), `ICE_DOCTOR_LAB_TURN_USER` and
 * `ICE_DOCTOR_LAB_TURN_PASSWORD`, `ICE_DOCTOR_LAB_PAGE` (when on), `ICE_DOCTOR_LAB_NETNS` (the client
 * namespace), and `ICE_DOCTOR_STUN_SERVERS` = every `stun:` URL, so a plain `ice-doctor probe` inside
 * probes the lab's server; in a network whose plan has `proxy` (proxy-only), `HTTPS_PROXY` = the lab's squid.
 */
export function labEnv(userLab: UserLab): Record<string, string> {
  const { endpoints } = userLab;
  const env: Record<string, string> = {
    ICE_DOCTOR_LAB_NAT: userLab.nat,
    ICE_DOCTOR_LAB_NETNS: userLab.lab.ns.lan,
    ICE_DOCTOR_LAB_TURN_URLS: endpoints.turn.join(','),
    ICE_DOCTOR_STUN_SERVERS: endpoints.stun.join(','),
  };
  const optional: [string, string | undefined][] = [
    ['ICE_DOCTOR_LAB_STUN', endpoints.stun[0]],
    ['ICE_DOCTOR_LAB_TURN', endpoints.turn[0]],
    ['ICE_DOCTOR_LAB_TURN_USER', endpoints.turnUser?.username],
    ['ICE_DOCTOR_LAB_TURN_PASSWORD', endpoints.turnUser?.password],
    ['ICE_DOCTOR_LAB_PAGE', endpoints.page ?? undefined],
  ];
  for (const [name, value] of optional) if (value !== undefined) env[name] = value;
  const plan: LabNatPlan = LAB_NATS[userLab.nat];
  if (plan.proxy === true) env.HTTPS_PROXY = labProxyUrl(userLab.lab.sites[0]!);
  return env;
}
