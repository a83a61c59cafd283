import { setMaxListeners } from 'node:events';
import type { ProbeReport, Reachability } from '../../report/schema.js';
import type { TransportAddress } from '../../wire/address.js';
import { type PortMappingOptions, portMappingStep } from '../port-mapping/probe-step.js';
import { localAddresses, localAddressToward } from '../transport/local-addresses.js';
import { ResolveError, resolveServer } from '../transport/resolve.js';
import { RttEstimator, reportedMs } from '../transport/rtt.js';
import { streamExchange } from '../transport/stream-client.js';
import { StunUdpClient } from '../transport/udp-client.js';
import { parseStunUrl, type StunUrl } from '../url/stun-url.js';
import { answered } from './answers.js';
import { classify } from './classify.js';
import { LifetimeUnsupportedError, lifetimeTest } from './lifetime-test.js';
import { bindingTest, filteringTests, hairpinTest, type UdpTarget } from './nat-tests.js';
import type { BindingObservation, ProbeObservations, ServerObservation } from './observations.js';
import { bindingRequest, toObservation } from './requests.js';
import { raceRfc5780 } from './rfc5780-race.js';
import { testResults } from './test-results.js';

/** What to probe and how long to try. */
export interface ProbeOptions {
  /**
   * `stun:` / `stuns:` URLs (duplicates probed once); the first UDP one that proves it serves RFC 5780 (the
   * race, `rfc5780-race.ts`) is used for the NAT tests.
   */
  urls: string[];
  /** Hard deadline for the whole probe in ms; partial results are still a report. */
  timeoutMs: number;
  /** Run the hairpinning test (RFC 5780 §4.5); off by default because some firewalls flag it. */
  hairpin?: boolean;
  /** Measure the binding lifetime (RFC 5780 §4.6) up to this many seconds; undefined = not measured. */
  maxLifetimeS?: number;
  /** Accept any TLS certificate for `stuns:` (self-signed test servers). */
  insecure?: boolean;
  /** More trusted CA certificates for `stuns:` (PEM, from `--ca FILE`) besides Node's bundled roots. */
  ca?: readonly string[];
  /** Ask the gateway by UPnP IGD, NAT-PMP and PCP (issue 16 §3); undefined = not asked. */
  portMapping?: PortMappingOptions;
  /** Told what the probe is waiting for, for a progress line. */
  onProgress?: (text: string) => void;
}

const DNS_TIMEOUT_MS = 2000;

async function resolveAll(urls: StunUrl[], timeoutMs: number): Promise<ServerObservation[]> {
  return Promise.all(
    urls.map(async (u) => {
      try {
        return {
          url: u.url,
          transport: u.transport,
          address: await resolveServer(u, timeoutMs),
          resolveError: null,
        };
      } catch (err) {
        const reason = err instanceof ResolveError ? err.message : String(err);
        return { url: u.url, transport: u.transport, address: null, resolveError: reason };
      }
    }),
  );
}

/** The stream URL probed for one server: a UDP URL's address over TCP, or the tcp/tls URL itself. */
function streamUrlOf(u: StunUrl): string {
  return u.transport === 'udp' ? `${u.url}?transport=tcp` : u.url;
}

/**
 * STUN over TCP to each UDP server's address and over TCP/TLS for each tcp/tls URL, once per stream URL
 * (`stun:X` and `stun:X?transport=tcp` share one). Their RTT (or the time to a refusal, also one round
 * trip) calibrates the RTO, so UDP silence can be called quickly; a silent server is given up on after the
 * same RTT-based budget (`streamExchange`).
 */
function streamTests(
  urls: StunUrl[],
  servers: ServerObservation[],
  opts: ProbeOptions,
  rtt: RttEstimator,
  signal: AbortSignal,
): Promise<BindingObservation>[] {
  const seen = new Set<string>();
  return servers.flatMap((s, i) => {
    const u = urls[i]!;
    const url = streamUrlOf(u);
    if (!s.address || seen.has(url)) return [];
    seen.add(url);
    const transport: 'tcp' | 'tls' = u.transport === 'tls' ? 'tls' : 'tcp';
    const req = bindingRequest();
    const to = s.address;
    return [
      streamExchange(req.bytes, req.transactionId, {
        transport,
        to,
        serverName: u.host,
        insecure: opts.insecure,
        ca: opts.ca,
        rtt,
        signal,
      }).then((r) => {
        const sample = r.rttMs ?? r.refusedMs;
        if (sample !== null) rtt.observe(sample);
        const sent = {
          name: `${transport}-binding`,
          server: url,
          transport,
          target: to,
          change: null,
          localPort: r.local?.port ?? 0,
        };
        return toObservation(sent, {
          requestsSent: 1,
          response: r.response,
          source: r.response ? r.remote : null,
          rttMs: r.rttMs,
          elapsedMs: r.elapsedMs,
          failure: r.failure,
        });
      }),
    ];
  });
}

/** The URLs parsed, each normalised URL once (first occurrence kept). */
function uniqueUrls(inputs: string[]): StunUrl[] {
  const byUrl = new Map<string, StunUrl>();
  for (const u of inputs.map(parseStunUrl)) if (!byUrl.has(u.url)) byUrl.set(u.url, u);
  return [...byUrl.values()];
}

/**
 * Runs the probe: resolves the servers, then in parallel and under one deadline runs mapping test I
 * against every UDP server from one socket, filtering tests against each from fresh sockets, and STUN over
 * TCP/TLS; races the RFC 5780 candidates (mapping II/III and the CHANGE-REQUEST checks as each one's test I
 * answers) and runs hairpinning and binding lifetime against the first that proves RFC 5780. Every wait is
 * bounded by the RTT-calibrated silence budget, so a dead server never holds the report.
 * Plan → run → observations → `classify()` → report (RFC 5780 §4; tailscale-netcheck-style deadlines).
 * @throws IceUrlError when a URL is not a STUN URL (`client/url/stun-url.ts`). Network failures never throw:
 *   they are in the report.
 */
export async function runProbe(opts: ProbeOptions): Promise<ProbeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const urls = uniqueUrls(opts.urls);
  const deadline = new AbortController();
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(), opts.timeoutMs);
  const rtt = new RttEstimator();
  const clients: StunUdpClient[] = [];
  const open = async (family: TransportAddress['family']): Promise<StunUdpClient> => {
    const c = await StunUdpClient.open(family, rtt, deadline.signal);
    clients.push(c);
    return c;
  };
  try {
    opts.onProgress?.('resolving servers');
    const servers = await resolveAll(urls, Math.min(DNS_TIMEOUT_MS, opts.timeoutMs));
    const udp: UdpTarget[] = servers.flatMap((s) =>
      s.transport === 'udp' && s.address ? [{ url: s.url, address: s.address }] : [],
    );
    const family = udp[0]?.address.family ?? 'IPv4';
    const portMapping = portMappingStep(opts.portMapping, udp);
    const sameFamily = udp.filter((s) => s.address.family === family);
    opts.onProgress?.('mapping and filtering tests');
    const streams = Promise.all(streamTests(urls, servers, opts, rtt, deadline.signal));
    const mappingClient = await open(family);
    const candidates = await Promise.all(
      sameFamily.map(async (s) => ({
        server: s,
        testI: bindingTest(mappingClient, 'mapping-I', s, s.address),
        filtering: filteringTests(await open(family), s),
        controlClient: await open(family),
      })),
    );
    const race = raceRfc5780(mappingClient, candidates);
    const used = await race.first;
    const usedServer = used ? sameFamily.find((s) => s.url === used.server)! : null;
    const hairpinServer = opts.hairpin ? (usedServer ?? (await firstAnswering(candidates))) : null;
    const hairpin = hairpinServer
      ? await hairpinTest(await open(family), await open(family), hairpinServer, rtt)
      : null;
    let lifetime: ProbeObservations['lifetime'] = null;
    let lifetimeError: string | null = null;
    if (opts.maxLifetimeS !== undefined && usedServer) {
      try {
        lifetime = await lifetimeTest(usedServer, opts.maxLifetimeS, rtt, (text) => opts.onProgress?.(text));
      } catch (err) {
        if (!(err instanceof LifetimeUnsupportedError)) throw err;
        lifetimeError = err.message;
      }
    }
    const runs = await race.all;
    const obs: ProbeObservations = {
      servers,
      localAddresses: localAddresses(),
      mappingTestI: await Promise.all(candidates.map((c) => c.testI)),
      rfc5780Runs: runs,
      streams: await streams,
      hairpin,
      lifetime,
      deadlineReached: deadline.signal.aborted,
    };
    const candidateUrls = new Set(runs.map((r) => r.server));
    const otherFilters = await Promise.all(
      candidates.filter((c) => !candidateUrls.has(c.server.url)).map((c) => c.filtering),
    );
    const verdicts = classify(obs);
    for (const s of servers) if (s.resolveError) verdicts.reasons[`server ${s.url}`] = s.resolveError;
    if (lifetimeError) verdicts.reasons.bindingLifetime = lifetimeError;
    else if (opts.maxLifetimeS !== undefined && !usedServer)
      verdicts.reasons.bindingLifetime = 'no trusted RFC 5780 server answered';
    const local = udp[0] ? await localAddressToward(udp[0].address) : null;
    return {
      schemaVersion: 1,
      tool: 'ice-doctor',
      kind: 'probe',
      startedAt,
      servers: servers.map((s) => s.url),
      localAddress: local ? { address: local, port: mappingClient.localPort, family } : null,
      ...verdicts,
      reachability: reachability(servers, obs),
      tests: testResults(obs, otherFilters, verdicts.rfc5780Server),
      ...(await portMapping.report(verdicts.publicAddress, local)),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    for (const c of clients) c.close();
  }
}

/** The server of the first mapping test I to answer, or null when none does (for hairpinning without RFC 5780). */
async function firstAnswering(candidates: { server: UdpTarget; testI: Promise<BindingObservation> }[]) {
  const tests = await Promise.all(candidates.map((c) => c.testI));
  const i = tests.findIndex((o) => answered(o));
  return i < 0 ? null : candidates[i]!.server;
}

/** How a transaction without an answer reads in the report: `no answer within N ms` for silence. */
function failureText(o: BindingObservation): string | undefined {
  if (o.failure === 'timeout') return `no answer within ${Math.round(o.elapsedMs)} ms`;
  return o.failure ?? undefined;
}

/**
 * One row per URL: each server URL as given (UDP: its mapping test I; tcp/tls: its stream), then the TCP
 * stream probed alongside a UDP URL when that URL was not itself given.
 */
function reachability(servers: ServerObservation[], obs: ProbeObservations): Reachability[] {
  const fromObs = (url: string, o: BindingObservation | undefined): Reachability => {
    if (!o) {
      return {
        url,
        transport: 'udp',
        reachable: false,
        rttMs: null,
        mappedAddress: null,
        error: 'not tested: another address family than the first UDP server',
      };
    }
    const error = failureText(o);
    return {
      url,
      transport: o.transport,
      reachable: o.failure === null && o.source !== null,
      rttMs: reportedMs(o.rttMs),
      mappedAddress: o.mapped,
      ...(error !== undefined ? { error } : {}),
    };
  };
  const rows = servers.map((s): Reachability => {
    if (s.resolveError)
      return {
        url: s.url,
        transport: s.transport,
        reachable: false,
        rttMs: null,
        mappedAddress: null,
        error: s.resolveError,
      };
    const tests = s.transport === 'udp' ? obs.mappingTestI : obs.streams;
    return fromObs(
      s.url,
      tests.find((o) => o.server === s.url),
    );
  });
  const given = new Set(servers.map((s) => s.url));
  for (const st of obs.streams) if (!given.has(st.server)) rows.push(fromObs(st.server, st));
  return rows;
}
