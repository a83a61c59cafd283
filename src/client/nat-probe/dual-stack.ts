import type { FamilyProbe } from '../../report/probe-family-schema.js';
import type { Family, TransportAddress } from '../../wire/address.js';
import { type RouteAnswer, routeToward } from '../transport/route-toward.js';
import { type FamilyRun, type FamilyRunContext, runFamily, udpTargetsOf } from './family-run.js';
import { familySummary, untestedFamily } from './family-verdict.js';
import type { ServerObservation } from './observations.js';
import { reachability } from './reachability.js';
import { testResults } from './test-results.js';

/** A server as resolved: every address of a UDP URL (IPv4 first), `address` the first of them. */
export interface ResolvedServer extends ServerObservation {
  addresses: TransportAddress[];
}

/** The kernel's route toward each family's first UDP server; null when no server of that family was given. */
export type Routes = Record<Family, Promise<RouteAnswer | null>>;

/** Asks the kernel for a route toward each family's first UDP server, both at once (nothing is sent). */
export function routesOf(resolved: readonly ResolvedServer[]): Routes {
  const route = (family: Family): Promise<RouteAnswer | null> => {
    const first = udpTargetsOf(family, resolved)[0];
    return first ? routeToward(first.address) : Promise.resolve(null);
  };
  return { IPv4: route('IPv4'), IPv6: route('IPv6') };
}

/** A family that was run, or why it was not (with the servers of it that were given). */
export type FamilyOutcome =
  | { run: FamilyRun; local: string | null }
  | { family: Family; untested: string; servers: string[] };

/** Why a family has nothing to test: no server of it, or no route / socket for it on this host. */
function untestedReason(family: Family, route: RouteAnswer | null, to?: TransportAddress): string | null {
  if (!to) return `no ${family} server given or resolved`;
  if (!route || !('error' in route)) return null;
  return `no ${family} on this host: no route to ${to.address} (${route.error}); this is not a firewall, ${family} was not tried`;
}

/**
 * Runs the family that does not give the top-level verdicts, in parallel with the first: against its own
 * servers, with its own sockets, the same tests. Not run (`untested` + reason) when no server of it was
 * given, when the kernel has no route for it (ENETUNREACH, EADDRNOTAVAIL: known at once, so a host
 * without IPv6 waits for nothing) or when a socket of it cannot be opened (EAFNOSUPPORT).
 * @param ctx the probe's shared context; `servers` and `streams` are narrowed to this family here.
 */
export async function otherFamily(
  family: Family,
  resolved: readonly ResolvedServer[],
  routes: Routes,
  ctx: Omit<FamilyRunContext, 'servers'>,
): Promise<FamilyOutcome> {
  const targets = udpTargetsOf(family, resolved);
  const servers = targets.map((t) => t.url);
  const route = await routes[family];
  const why = untestedReason(family, route, targets[0]?.address);
  if (why) return { family, untested: why, servers };
  const local = route && 'address' in route ? route.address : null;
  const observed = targets.map(
    (t): ServerObservation => ({ url: t.url, transport: 'udp', address: t.address, resolveError: null }),
  );
  const streams = ctx.streams.then((all) => all.filter((o) => o.target.family === family));
  try {
    return { run: await runFamily(family, targets, { ...ctx, servers: observed, streams }), local };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      family,
      untested: `no ${family} on this host: cannot open a UDP socket (${String(code ?? err)}); ${family} was not tried`,
      servers,
    };
  }
}

/** The report's block of one family that ran: its own verdicts, reachability and test rows. */
function testedBlock(run: FamilyRun, local: string | null): FamilyProbe {
  const v = run.verdicts;
  const servers = run.targets.map(
    (t): ServerObservation => ({ url: t.url, transport: 'udp', address: t.address, resolveError: null }),
  );
  const obs = { ...run.obs, streams: run.obs.streams.filter((o) => o.target.family === run.family) };
  return {
    family: run.family === 'IPv4' ? 'ipv4' : 'ipv6',
    tested: true,
    servers: servers.map((s) => s.url),
    udp: v.udp,
    udpStatus: v.udpStatus,
    publicAddress: v.publicAddress,
    natPresent: v.natPresent,
    mapping: v.mapping,
    filtering: v.filtering,
    legacyNatType: v.legacyNatType,
    hairpinning: v.hairpinning,
    portPreservation: v.portPreservation,
    reasons: { ...v.reasons },
    localAddress: local ? { address: local, port: run.localPort, family: run.family } : null,
    mappingMethod: v.mappingMethod,
    rfc5780Server: v.rfc5780Server,
    reachability: reachability(servers, { ...obs, streams: [] }),
    tests: testResults(obs, run.otherFilters, v.rfc5780Server),
    summary: familySummary(run.family, v),
  };
}

/**
 * The `ipv4` and `ipv6` blocks of the report: the first family's from the run that gave the top-level
 * verdicts (`tested: false` when it had no server or no route: the top-level then says what that run
 * saw), the other's from {@link otherFamily}.
 */
export function familyBlocks(
  main: FamilyRun,
  mainRoute: RouteAnswer | null,
  other: FamilyOutcome,
): { ipv4: FamilyProbe; ipv6: FamilyProbe } {
  const why = untestedReason(main.family, mainRoute, main.targets[0]?.address);
  const first =
    why === null
      ? testedBlock(main, mainRoute && 'address' in mainRoute ? mainRoute.address : null)
      : untestedFamily(
          main.family,
          why,
          main.targets.map((t) => t.url),
        );
  const second =
    'run' in other
      ? testedBlock(other.run, other.local)
      : untestedFamily(other.family, other.untested, other.servers);
  const [ipv4, ipv6] = main.family === 'IPv4' ? [first, second] : [second, first];
  return { ipv4, ipv6 };
}
