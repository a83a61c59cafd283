import type { PathMtu } from '../../report/path-mtu-schema.js';
import type { Family, TransportAddress } from '../../wire/address.js';
import { localAddresses } from '../transport/local-addresses.js';
import type { RttEstimator } from '../transport/rtt.js';
import type { StunUdpClient } from '../transport/udp-client.js';
import { answered } from './answers.js';
import { classify, type Verdicts } from './classify.js';
import { LifetimeUnsupportedError, lifetimeTest } from './lifetime-test.js';
import { bindingTest, filteringTests, hairpinTest, type UdpTarget } from './nat-tests.js';
import type {
  BindingObservation,
  FilteringTriple,
  ProbeObservations,
  ServerObservation,
} from './observations.js';
import { firstToAnswer, measurePathMtu } from './path-mtu.js';
import { raceRfc5780 } from './rfc5780-race.js';

/** What one family's run shares with the probe around it. */
export interface FamilyRunContext {
  /** Every server as resolved for this family (`address` null when it has none of this family). */
  servers: ServerObservation[];
  /** The STUN over TCP/TLS observations this family's verdicts may use ("UDP blocked" evidence). */
  streams: Promise<BindingObservation[]>;
  /** Opens a tracked UDP socket of `family` (closed by the probe at the end). */
  open: (family: Family) => Promise<StunUdpClient>;
  rtt: RttEstimator;
  /** The probe's deadline. */
  signal: AbortSignal;
  /** Run the hairpinning test (RFC 5780 §4.5). */
  hairpin?: boolean;
  /** Measure the path MTU with padded Bindings (RFC 5780 §7.6, `measurePathMtu`); the main family only. */
  pathMtu?: boolean;
  /** Measure the binding lifetime up to this many seconds (RFC 5780 §4.6); undefined = not measured. */
  maxLifetimeS?: number;
  onProgress?: (text: string) => void;
}

/** One family's observations and verdicts, and what the report needs beside them. */
export interface FamilyRun {
  family: Family;
  /** The UDP servers of this family that were asked. */
  targets: UdpTarget[];
  obs: ProbeObservations;
  verdicts: Verdicts;
  /** Filtering tests of the servers that never became RFC 5780 candidates (the report's test rows). */
  otherFilters: FilteringTriple[];
  /** Local port of the socket that ran every mapping test I. */
  localPort: number;
  /** The path MTU measure (never rejects), or null when not asked for. */
  pathMtu: Promise<PathMtu> | null;
}

/**
 * Runs the NAT tests of one address family against its UDP servers (`targets`, all of `family`): mapping
 * test I to every server from one socket, filtering tests from fresh sockets, the RFC 5780 race (mapping
 * II/III and the CHANGE-REQUEST control as each test I answers), then hairpinning and the binding lifetime
 * against the first trusted RFC 5780 server when asked. Every wait is bounded by the RTT-calibrated silence
 * budget and the probe's deadline; the verdicts come from `classify()` over this family's observations only.
 * @throws Error when a socket of `family` cannot be bound (callers check the route first: `routeToward`).
 */
export async function runFamily(
  family: Family,
  targets: UdpTarget[],
  ctx: FamilyRunContext,
): Promise<FamilyRun> {
  const mappingClient = await ctx.open(family);
  const candidates = await Promise.all(
    targets.map(async (s) => ({
      server: s,
      testI: bindingTest(mappingClient, 'mapping-I', s, s.address),
      filtering: filteringTests(await ctx.open(family), s),
      controlClient: await ctx.open(family),
    })),
  );
  const race = raceRfc5780(mappingClient, candidates);
  const used = await race.first;
  const usedServer = used ? targets.find((s) => s.url === used.server)! : null;
  const pathMtu = ctx.pathMtu
    ? measurePathMtu(
        usedServer ? Promise.resolve(usedServer) : firstToAnswer(candidates),
        family,
        ctx.rtt,
        ctx.signal,
      )
    : null;
  const hairpinServer = ctx.hairpin ? (usedServer ?? (await firstAnswering(candidates))) : null;
  const hairpin = hairpinServer
    ? await hairpinTest(await ctx.open(family), await ctx.open(family), hairpinServer, ctx.rtt)
    : null;
  let lifetime: ProbeObservations['lifetime'] = null;
  let lifetimeError: string | null = null;
  if (ctx.maxLifetimeS !== undefined && usedServer) {
    try {
      lifetime = await lifetimeTest(usedServer, ctx.maxLifetimeS, ctx.rtt, (text) => ctx.onProgress?.(text));
    } catch (err) {
      if (!(err instanceof LifetimeUnsupportedError)) throw err;
      lifetimeError = err.message;
    }
  }
  const runs = await race.all;
  const obs: ProbeObservations = {
    servers: ctx.servers,
    localAddresses: localAddresses(),
    mappingTestI: await Promise.all(candidates.map((c) => c.testI)),
    rfc5780Runs: runs,
    streams: await ctx.streams,
    hairpin,
    lifetime,
    deadlineReached: ctx.signal.aborted,
  };
  const candidateUrls = new Set(runs.map((r) => r.server));
  const otherFilters = await Promise.all(
    candidates.filter((c) => !candidateUrls.has(c.server.url)).map((c) => c.filtering),
  );
  const verdicts = classify(obs);
  for (const s of ctx.servers) if (s.resolveError) verdicts.reasons[`server ${s.url}`] = s.resolveError;
  if (lifetimeError) verdicts.reasons.bindingLifetime = lifetimeError;
  else if (ctx.maxLifetimeS !== undefined && !usedServer)
    verdicts.reasons.bindingLifetime = 'no trusted RFC 5780 server answered';
  return { family, targets, obs, verdicts, otherFilters, localPort: mappingClient.localPort, pathMtu };
}

/** The server of the first mapping test I to answer, or null when none does (for hairpinning without RFC 5780). */
async function firstAnswering(candidates: { server: UdpTarget; testI: Promise<BindingObservation> }[]) {
  const tests = await Promise.all(candidates.map((c) => c.testI));
  const i = tests.findIndex((o) => answered(o));
  return i < 0 ? null : candidates[i]!.server;
}

/** The UDP servers with an address of `family` (each URL once, its first address of that family). */
export function udpTargetsOf(
  family: Family,
  resolved: readonly { url: string; transport: string; addresses: readonly TransportAddress[] }[],
): UdpTarget[] {
  return resolved.flatMap((s) => {
    const address = s.transport === 'udp' ? s.addresses.find((a) => a.family === family) : undefined;
    return address ? [{ url: s.url, address }] : [];
  });
}
