/**
 * Prometheus metrics of the TURN server (prom-client), served over HTTP in the Prometheus text
 * exposition format 0.0.4. Each server owns its registry, so two servers in one process (tests, the
 * embedded default next to a user's server) never mix their numbers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { UserError } from '../../errors.js';
import { processConnectionBudget } from '../../net/connection-budget.js';
import { guardConnections } from '../../net/guard-connections.js';
import { HTTP_SERVER_LIMITS } from '../../net/http-limits.js';
import { formatAddress } from '../../wire/address.js';
import { BindError, bindUserError } from '../stun/bind.js';

/**
 * The metrics one TURN server updates. Label values are a small fixed set, so the number of series
 * stays bounded whatever clients send; those sets are listed per metric and start at 0.
 * On the hot path, pass label objects that are module constants (`{ direction: 'client-to-peer' }`),
 * not objects built per packet.
 */
export interface TurnMetrics {
  /** This server's own registry (never prom-client's global one); also holds the process metrics. */
  registry: Registry;
  /** `ice_doctor_turn_active_allocations{transport}`: allocations now, by client transport `udp|tcp|tls`. */
  allocations: Gauge<'transport'>;
  /** `ice_doctor_turn_active_permissions`: installed permissions now (RFC 8656 §9). */
  permissions: Gauge;
  /** `ice_doctor_turn_active_channels`: bound channels now (RFC 8656 §12). */
  channels: Gauge;
  /** `ice_doctor_turn_allocations_total{transport}`: allocations created, by `udp|tcp|tls`. */
  allocationsTotal: Counter<'transport'>;
  /** `ice_doctor_turn_relayed_packets_total{direction}`: `client-to-peer` or `peer-to-client`. */
  relayedPackets: Counter<'direction'>;
  /** `ice_doctor_turn_relayed_bytes_total{direction}`: application data bytes relayed, same labels. */
  relayedBytes: Counter<'direction'>;
  /**
   * `ice_doctor_turn_internal_delivered_packets_total`: datagrams a client sent to a relayed transport
   * address of this server that were delivered internally to that allocation's client (coturn's
   * behaviour; docs/turn-internal-delivery.md). Each is also counted once in each direction of
   * `relayed_packets_total`, as when it crossed the network.
   */
  internalPackets: Counter;
  /** `ice_doctor_turn_internal_delivered_bytes_total`: application data bytes delivered internally. */
  internalBytes: Counter;
  /**
   * `ice_doctor_turn_auth_failures_total{reason}`: `no-credentials`, `unknown-user`, `bad-integrity`,
   * `stale-nonce`, `expired-rest-credentials`, `wrong-credentials` (RFC 8489 §9.2, TURN REST) or
   * `rate-limited` (a 401 without a password check, the client being blocked for too many failures).
   */
  authFailures: Counter<'reason'>;
  /**
   * `ice_doctor_turn_auth_blocks_total`: clients (an IPv4 address, an IPv6 /64) whose password checks were
   * suspended after too many failed authentications; one per block, however many requests it refuses.
   */
  authBlocks: Counter;
  /**
   * `ice_doctor_turn_denied_peers_total{method}`: peer policy refusals (403), by the request or
   * indication that named the peer: `CreatePermission`, `ChannelBind` or `Send`.
   */
  deniedPeers: Counter<'method'>;
  /**
   * `ice_doctor_turn_quota_rejections_total{reason}`: `user-quota`, `total-quota`, `port-range`
   * (RFC 8656 486/508) or `bandwidth`.
   */
  quotaRejections: Counter<'reason'>;
  /**
   * `ice_doctor_turn_requests_total{method,outcome}`: requests answered, by STUN method name and
   * `outcome` `'success'` or the error code as a string (`'401'`, `'438'` ...).
   */
  requests: Counter<'method' | 'outcome'>;
}

const PREFIX = 'ice_doctor_turn_';
const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
const DIRECTIONS = ['client-to-peer', 'peer-to-client'] as const;
const AUTH_FAILURE_REASONS = [
  'no-credentials',
  'unknown-user',
  'bad-integrity',
  'stale-nonce',
  'expired-rest-credentials',
  'wrong-credentials',
  'rate-limited',
] as const;
const PEER_METHODS = ['CreatePermission', 'ChannelBind', 'Send'] as const;
const QUOTA_REASONS = ['user-quota', 'total-quota', 'port-range', 'bandwidth'] as const;

/** A counter on `registry` whose series for each of `values` exist (at 0) from the start. */
function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  values: readonly string[],
): Counter<L> {
  const metric = new Counter({ name: PREFIX + name, help, labelNames: [label], registers: [registry] });
  for (const value of values) metric.inc({ [label]: value } as Record<L, string>, 0);
  return metric;
}

/**
 * Creates the TURN server's metrics on a new registry, with prom-client's process metrics (CPU,
 * memory, event loop lag, GC, file descriptors) on the same registry, prefixed `ice_doctor_`.
 * Series with a fixed label set are initialised to 0 so dashboards see them before the first event.
 * @returns the metrics; nothing is served until {@link startMetricsServer}.
 */
export function createTurnMetrics(): TurnMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ice_doctor_' });
  const registers = [registry];
  const allocations = new Gauge({
    name: `${PREFIX}active_allocations`,
    help: 'TURN allocations that exist now, by client transport',
    labelNames: ['transport'],
    registers,
  });
  for (const transport of TRANSPORTS) allocations.set({ transport }, 0);
  return {
    registry,
    allocations,
    permissions: new Gauge({
      name: `${PREFIX}active_permissions`,
      help: 'TURN permissions installed now, over all allocations',
      registers,
    }),
    channels: new Gauge({
      name: `${PREFIX}active_channels`,
      help: 'TURN channels bound now, over all allocations',
      registers,
    }),
    allocationsTotal: counter(
      registry,
      'allocations_total',
      'TURN allocations created, by client transport',
      'transport',
      TRANSPORTS,
    ),
    relayedPackets: counter(
      registry,
      'relayed_packets_total',
      'Packets relayed between clients and peers, by direction',
      'direction',
      DIRECTIONS,
    ),
    relayedBytes: counter(
      registry,
      'relayed_bytes_total',
      'Application data bytes relayed between clients and peers, by direction',
      'direction',
      DIRECTIONS,
    ),
    internalPackets: new Counter({
      name: `${PREFIX}internal_delivered_packets_total`,
      help: 'Packets a client sent to a relayed address of this server, delivered internally to that allocation',
      registers,
    }),
    internalBytes: new Counter({
      name: `${PREFIX}internal_delivered_bytes_total`,
      help: 'Application data bytes delivered internally between two allocations of this server',
      registers,
    }),
    authFailures: counter(
      registry,
      'auth_failures_total',
      'Requests refused by long-term or TURN REST authentication, by reason',
      'reason',
      AUTH_FAILURE_REASONS,
    ),
    authBlocks: new Counter({
      name: `${PREFIX}auth_blocks_total`,
      help: 'Clients (IPv4 address or IPv6 /64) blocked after too many failed authentications',
      registers,
    }),
    deniedPeers: counter(
      registry,
      'denied_peers_total',
      'Peer addresses refused by the peer policy, by request method',
      'method',
      PEER_METHODS,
    ),
    quotaRejections: counter(
      registry,
      'quota_rejections_total',
      'Requests refused by a quota, by reason',
      'reason',
      QUOTA_REASONS,
    ),
    requests: new Counter({
      name: `${PREFIX}requests_total`,
      help: "STUN/TURN requests answered, by method and outcome ('success' or the error code)",
      labelNames: ['method', 'outcome'],
      registers,
    }),
  };
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The exposition's URL, e.g. `http://127.0.0.1:9464/metrics`; the picked port when 0 was asked. */
  readonly url: string;
  /** Stops listening and drops open connections; resolves when the port is free. Idempotent. */
  close(): Promise<void>;
}

function respond(registry: Registry, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?', 1)[0];
  if (req.method !== 'GET' || path !== '/metrics') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found; try GET /metrics\n');
    return;
  }
  registry.metrics().then(
    (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
    (err: unknown) => {
      res
        .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`metrics failed: ${String(err)}\n`);
    },
  );
}

/**
 * Serves `metrics.registry` over HTTP (node:http): `GET /metrics` (any query string) answers the
 * Prometheus text exposition with the registry's content type; any other method or path answers 404.
 * Like the report page's listeners, it has the slow-client limits `HTTP_SERVER_LIMITS` (headers within
 * 15 s) and its connections count against the process's connection budget (`processConnectionBudget`:
 * over a client's share or the total, closed at accept).
 * @param opts `host` an IP literal or name to listen on; `port` 0 lets the operating system pick.
 * @throws UserError, exit code 2, with a one-line message: `address-in-use` ("cannot serve metrics on
 *   127.0.0.1:9464: address in use"), `address-unavailable`, `permission-denied` or `listen-failed`.
 */
export function startMetricsServer(
  metrics: TurnMetrics,
  opts: { host: string; port: number },
): Promise<MetricsServer> {
  const server = createServer(HTTP_SERVER_LIMITS, (req, res) => respond(metrics.registry, req, res));
  const budget = processConnectionBudget();
  guardConnections(server, budget);
  server.maxConnections = budget.limits.total;
  const where = formatAddress({ address: opts.host, port: opts.port });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const refused = bindUserError(new BindError(err.code ?? 'UNKNOWN', where));
      reject(
        new UserError(refused.code, refused.message.replace('cannot listen on', 'cannot serve metrics on')),
      );
    };
    server.once('error', onError);
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : opts.port;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${formatAddress({ address: opts.host, port })}/metrics`,
        close: () => {
          closing ??= new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
