import { setMaxListeners } from 'node:events';
import type { ProbeReport } from '../../report/schema.js';
import type { TransportAddress } from '../../wire/address.js';
import { type PortMappingOptions, portMappingStep } from '../port-mapping/probe-step.js';
import { type ProxyRoute, proxyUse } from '../transport/proxy-config.js';
import { ResolveError, resolveServerAll } from '../transport/resolve.js';
import { RttEstimator } from '../transport/rtt.js';
import { streamExchange } from '../transport/stream-client.js';
import { StunUdpClient } from '../transport/udp-client.js';
import { parseStunUrl, type StunUrl } from '../url/stun-url.js';
import { familyBlocks, otherFamily, type ResolvedServer, routesOf } from './dual-stack.js';
import { runFamily, udpTargetsOf } from './family-run.js';
import { keepAliveOf } from './keep-alive.js';
import type { UdpTarget } from './nat-tests.js';
import type { BindingObservation, ServerObservation } from './observations.js';
import { markViaProxy } from './probe-proxy.js';
import { reachability } from './reachability.js';
import { bindingRequest, toObservation } from './requests.js';
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
  /** Measure the path MTU with padded Binding requests (issue 16 §5, `path-mtu.ts`); on unless false. */
  pathMtu?: boolean;
  /** Accept any TLS certificate for `stuns:` (self-signed test servers). */
  insecure?: boolean;
  /** More trusted CA certificates for `stuns:` (PEM, from `--ca FILE`) besides Node's bundled roots. */
  ca?: readonly string[];
  /** Ask the gateway by UPnP IGD, NAT-PMP and PCP (issue 16 §3); undefined = not asked. */
  portMapping?: PortMappingOptions;
  /** Told what the probe is waiting for, for a progress line. */
  onProgress?: (text: string) => void;
  /** The HTTP CONNECT proxy STUN over TCP/TLS goes through (`--proxy`, `HTTPS_PROXY`); UDP never does. */
  proxy?: ProxyRoute;
}

const DNS_TIMEOUT_MS = 2000;

/**
 * Resolves every URL: a UDP URL to all its addresses (A and AAAA, IPv4 first: one target per family), a
 * TCP/TLS URL to its first; `address` is the first, as the probe used before it was dual stack.
 */
async function resolveAll(urls: StunUrl[], timeoutMs: number): Promise<ResolvedServer[]> {
  return Promise.all(
    urls.map(async (u) => {
      try {
        const addresses = await resolveServerAll(u, timeoutMs, undefined, u.transport === 'udp');
        return { url: u.url, transport: u.transport, address: addresses[0]!, addresses, resolveError: null };
      } catch (err) {
        const reason = err instanceof ResolveError ? err.message : String(err);
        return { url: u.url, transport: u.transport, address: null, addresses: [], resolveError: reason };
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
        proxy: opts.proxy,
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
 * bounded by the RTT-calibrated silence budget, so a dead server never holds the report. The family of
 * the first UDP server gives the top-level verdicts (`runFamily`); the other family runs the same tests in
 * parallel against its own servers (a name with A and AAAA records is one target per family), and both
 * are reported in `ipv4` / `ipv6` (`dual-stack.ts`): a family this host has no route for is `tested: false`
 * with the socket error, at once.
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
    const resolved = await resolveAll(urls, Math.min(DNS_TIMEOUT_MS, opts.timeoutMs));
    const servers = resolved.map(({ addresses: _all, ...s }) => s);
    const udp: UdpTarget[] = servers.flatMap((s) =>
      s.transport === 'udp' && s.address ? [{ url: s.url, address: s.address }] : [],
    );
    const family = udp[0]?.address.family ?? 'IPv4';
    const portMapping = portMappingStep(opts.portMapping, udp);
    opts.onProgress?.('mapping and filtering tests');
    const streams = Promise.all(streamTests(urls, servers, opts, rtt, deadline.signal));
    const ctx = { streams, open, rtt, signal: deadline.signal, hairpin: opts.hairpin };
    const routes = routesOf(resolved);
    const main = runFamily(family, udpTargetsOf(family, resolved), {
      ...ctx,
      servers,
      maxLifetimeS: opts.maxLifetimeS,
      pathMtu: opts.pathMtu !== false,
      onProgress: opts.onProgress,
    });
    const other = otherFamily(family === 'IPv4' ? 'IPv6' : 'IPv4', resolved, routes, ctx);
    const { obs, verdicts, otherFilters, localPort, pathMtu } = await main;
    const keepAlive = keepAliveOf(verdicts.bindingLifetime, verdicts.reasons);
    const route = await routes[family];
    const local = route && 'address' in route ? route.address : null;
    const blocks = familyBlocks(await main, route, await other);
    return {
      schemaVersion: 1,
      tool: 'ice-doctor',
      kind: 'probe',
      startedAt,
      servers: servers.map((s) => s.url),
      localAddress: local ? { address: local, port: localPort, family } : null,
      ...verdicts,
      reachability: markViaProxy(reachability(servers, obs), urls, servers, opts.proxy),
      tests: testResults(obs, otherFilters, verdicts.rfc5780Server),
      ...(pathMtu && { pathMtu: await pathMtu }),
      ...(keepAlive !== null && { keepAliveS: keepAlive }),
      ...(await portMapping.report(blocks.ipv4.publicAddress, blocks.ipv4.localAddress?.address ?? null)),
      durationMs: Math.round(performance.now() - started),
      ...blocks,
      ...(opts.proxy ? { proxy: proxyUse(opts.proxy) } : {}),
    };
  } finally {
    clearTimeout(timer);
    for (const c of clients) c.close();
  }
}
