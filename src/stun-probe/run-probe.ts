import type { ProbeReport, Reachability } from '../report/schema.js';
import type { TransportAddress } from '../stun/address.js';
import { classify } from './classify.js';
import { LifetimeUnsupportedError, lifetimeTest } from './lifetime-test.js';
import { localAddresses, localAddressToward } from './local-addresses.js';
import {
  bindingTest,
  filteringTests,
  hairpinTest,
  mappingTestsIIandIII,
  type UdpTarget,
  withExpectedSources,
} from './nat-tests.js';
import type { BindingObservation, ProbeObservations, ServerObservation } from './observations.js';
import { bindingRequest, toObservation } from './requests.js';
import { ResolveError, resolveServer } from './resolve.js';
import { RttEstimator, reportedMs } from './rtt.js';
import { streamExchange } from './stream-client.js';
import { testResults } from './test-results.js';
import { StunUdpClient } from './udp-client.js';
import { parseStunUrl, type StunUrl } from './url.js';

/** What to probe and how long to try. */
export interface ProbeOptions {
  /** `stun:` / `stuns:` URLs; the first UDP one that serves RFC 5780 is used for the NAT tests. */
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

/**
 * STUN over TCP to each UDP server's address and over TCP/TLS for each tcp/tls URL. Their RTT (or the time
 * to a refusal, also one round trip) calibrates the RTO, so UDP silence can be called quickly.
 */
function streamTests(
  urls: StunUrl[],
  servers: ServerObservation[],
  opts: ProbeOptions,
  rtt: RttEstimator,
  signal: AbortSignal,
): Promise<BindingObservation>[] {
  return servers.flatMap((s, i) => {
    if (!s.address) return [];
    const u = urls[i]!;
    const transport: 'tcp' | 'tls' = u.transport === 'tls' ? 'tls' : 'tcp';
    const url = u.transport === 'udp' ? `${u.url}?transport=tcp` : u.url;
    const req = bindingRequest();
    const to = s.address;
    return [
      streamExchange(req.bytes, req.transactionId, {
        transport,
        to,
        serverName: u.host,
        insecure: opts.insecure,
        ca: opts.ca,
        timeoutMs: opts.timeoutMs,
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
          failure: r.failure,
        });
      }),
    ];
  });
}

async function firstRfc5780(tests: Promise<BindingObservation>[]): Promise<BindingObservation | null> {
  for (const t of tests) {
    const o = await t;
    if (o.otherAddress && o.mapped) return o;
  }
  return null;
}

/**
 * Runs the probe: resolves the servers, then in parallel and under one deadline runs mapping test I
 * against every UDP server from one socket, filtering tests against each from fresh sockets, STUN over
 * TCP/TLS, then mapping II/III, hairpinning and binding lifetime against the first RFC 5780 server.
 * Plan → run → observations → `classify()` → report (RFC 5780 §4; tailscale-netcheck-style deadlines).
 * @throws ConfigError when a URL cannot be parsed. Network failures never throw: they are in the report.
 */
export async function runProbe(opts: ProbeOptions): Promise<ProbeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const urls = opts.urls.map(parseStunUrl);
  const deadline = new AbortController();
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
    const sameFamily = udp.filter((s) => s.address.family === family);
    opts.onProgress?.('mapping and filtering tests');
    const streams = Promise.all(streamTests(urls, servers, opts, rtt, deadline.signal));
    const mappingClient = await open(family);
    const testI = sameFamily.map((s) => bindingTest(mappingClient, 'mapping-I', s, s.address));
    const filteringRuns = await Promise.all(
      sameFamily.map(async (s) => ({ s, run: filteringTests(await open(family), s) })),
    );
    const rfc = await firstRfc5780(testI);
    const rfcServer = rfc ? sameFamily.find((s) => s.url === rfc.server)! : null;
    const [mappingII, hairpin, filtering] = await Promise.all([
      rfc && rfcServer ? mappingTestsIIandIII(mappingClient, rfcServer, rfc.otherAddress!) : null,
      opts.hairpin && udp[0]
        ? hairpinTest(await open(family), await open(family), rfcServer ?? udp[0], rtt)
        : null,
      rfc
        ? filteringRuns
            .find((f) => f.s.url === rfc.server)!
            .run.then((f) => withExpectedSources(f, rfc.otherAddress!))
        : null,
    ]);
    let lifetime: ProbeObservations['lifetime'] = null;
    let lifetimeError: string | null = null;
    if (opts.maxLifetimeS !== undefined && rfcServer) {
      try {
        lifetime = await lifetimeTest(rfcServer, opts.maxLifetimeS, rtt, (text) => opts.onProgress?.(text));
      } catch (err) {
        if (!(err instanceof LifetimeUnsupportedError)) throw err;
        lifetimeError = err.message;
      }
    }
    const obs: ProbeObservations = {
      servers,
      localAddresses: localAddresses(),
      mappingTestI: await Promise.all(testI),
      rfc5780Server: rfc?.server ?? null,
      mappingTestII: mappingII?.II ?? null,
      mappingTestIII: mappingII?.III ?? null,
      filtering,
      streams: await streams,
      hairpin,
      lifetime,
    };
    const otherFilters = await Promise.all(
      filteringRuns.filter((f) => f.s.url !== rfc?.server).map((f) => f.run),
    );
    const verdicts = classify(obs);
    for (const s of servers) if (s.resolveError) verdicts.reasons[`server ${s.url}`] = s.resolveError;
    if (lifetimeError) verdicts.reasons.bindingLifetime = lifetimeError;
    else if (opts.maxLifetimeS !== undefined && !rfcServer)
      verdicts.reasons.bindingLifetime = 'no RFC 5780 server answered';
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
      tests: testResults(obs, otherFilters),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    for (const c of clients) c.close();
  }
}

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
    return {
      url,
      transport: o.transport,
      reachable: o.failure === null && o.source !== null,
      rttMs: reportedMs(o.rttMs),
      mappedAddress: o.mapped,
      ...(o.failure !== null ? { error: o.failure } : {}),
    };
  };
  const out: Reachability[] = [];
  for (const s of servers) {
    if (s.resolveError) {
      out.push({
        url: s.url,
        transport: s.transport,
        reachable: false,
        rttMs: null,
        mappedAddress: null,
        error: s.resolveError,
      });
      continue;
    }
    if (s.transport === 'udp')
      out.push(
        fromObs(
          s.url,
          obs.mappingTestI.find((o) => o.server === s.url),
        ),
      );
    for (const st of obs.streams.filter((o) => o.server === s.url || o.server === `${s.url}?transport=tcp`)) {
      out.push(fromObs(st.server, st));
    }
  }
  return out;
}
