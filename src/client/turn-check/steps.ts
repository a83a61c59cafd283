import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TurnAlternate } from '../../report/turn-node-schema.js';
import type { Family, TransportAddress } from '../../wire/address.js';
import { AlternateServer, XorMappedAddress, XorRelayedAddress } from '../../wire/attributes/addresses.js';
import { ChannelNumber } from '../../wire/attributes/channel-number.js';
import { Data } from '../../wire/attributes/data.js';
import { ErrorCode } from '../../wire/attributes/error-code.js';
import { Lifetime } from '../../wire/attributes/lifetime.js';
import { RequestedAddressFamily } from '../../wire/attributes/requested-address-family.js';
import { RequestedTransport, UDP_PROTOCOL } from '../../wire/attributes/requested-transport.js';
import { AlternateDomain } from '../../wire/attributes/texts.js';
import { XorPeerAddress } from '../../wire/attributes/xor-peer-address.js';
import type { AttributeSpec } from '../../wire/build.js';
import { MIN_CHANNEL } from '../../wire/channel-data.js';
import { StunClass, StunMethod } from '../../wire/constants.js';
import { bindingRequest } from '../nat-probe/requests.js';
import { type ProxyRoute, viaProxy } from '../transport/proxy-config.js';
import { ResolveError, resolveServer } from '../transport/resolve.js';
import { RttEstimator } from '../transport/rtt.js';
import { streamExchange } from '../transport/stream-client.js';
import { TLS_NO_HANDSHAKE } from '../transport/stream-connect.js';
import { probeTls, type TlsAuditObservation } from '../transport/tls-audit-probe.js';
import type { TurnTarget } from '../url/turn-url.js';
import { alternateOf, type Redirect, redirectOf } from './alternate.js';
import type { ResolvedTurnCredentials } from './credentials.js';
import { firstRequest } from './judged.js';
import { LinkConnectError } from './link.js';
import { DNS_TIMEOUT_MS, type NodePlan, nodeRttMs } from './nodes.js';
import {
  type ConnectObservation,
  type DataObservation,
  type DataStepName,
  REFRESH_LIFETIME_S,
  type RequestObservation,
  stillAllocated,
  type TurnObservation,
  type TurnTargetObservations,
} from './observations.js';
import { bindingAddress, reachFromOutside, reachNotStarted, reachWorstCaseMs } from './outside-reach.js';
import { DEFAULT_QUALITY_STREAM_MS, type QualityOptions } from './quality.js';
import { qualityStep } from './quality-step.js';
import type { QualityObservation } from './quality-summary.js';
import type { OutsideReachObservation } from './reach-observations.js';
import { type RelayedData, TurnSession } from './session.js';

/** How to check one target. */
export interface TurnCheckOptions {
  /** The credentials, and where they came from: `--user/--password` or minted from `--auth-secret`. */
  credentials: ResolvedTurnCredentials;
  /** Accept any TLS certificate (and report that it was not verified). */
  insecure: boolean;
  /** More trusted CA certificates (PEM, from `--ca FILE`) besides Node's bundled roots. */
  ca?: readonly string[];
  /** Deadline for the whole check of this target, in ms; what ran by then is still reported. */
  timeoutMs: number;
  /** Told the step about to run, for a progress line. */
  onProgress?: (text: string) => void;
  /** The relay quality measure (quality.ts): how long, or false for none (`--no-quality`); default on. */
  quality?: QualityOptions | false;
  /** The reach check from outside (`outside-reach.ts`); default true, false for `--no-outside-reach`. */
  outsideReach?: boolean;
  /** Whether a 300 Try Alternate to `to` is followed (alternate.ts; the exporter's allowedTargets); default yes. */
  followAlternate?: (to: Redirect) => boolean;
  /** The HTTP CONNECT proxy TCP/TLS goes through (`--proxy`, `HTTPS_PROXY`); UDP never does. */
  proxy?: ProxyRoute;
}

/** The other address family: the one `family-allocate` asks for. */
export function otherFamily(family: Family): Family {
  return family === 'IPv6' ? 'IPv4' : 'IPv6';
}

/**
 * The attributes of an Allocate for a relay of `family`: REQUESTED-TRANSPORT UDP, and REQUESTED-ADDRESS-FAMILY
 * unless `family` is IPv4 and `explicit` is false (an Allocate without it asks for IPv4, RFC 8656 §7.1, and
 * servers that predate RFC 6156 answer 420 to it).
 */
function allocateAttributes(family: Family, explicit: boolean): AttributeSpec[] {
  const transport = RequestedTransport.encode(UDP_PROTOCOL);
  return family === 'IPv4' && !explicit ? [transport] : [transport, RequestedAddressFamily.encode(family)];
}

/** The channel both allocations bind to the other's relayed address (RFC 8656 §12: 0x4000–0x4FFF). */
const CHANNEL = MIN_CHANNEL;
/** Limit of each handshake of the certificate audit, in ms. */
const TLS_AUDIT_TIMEOUT_MS = 3000;
/** Pause between the requests that check a deletion, in ms, and how many at most (2 s in all). */
const DELETE_POLL_MS = 250;
const DELETE_POLLS = 9;

/** A reason phrase without the NUL padding and control bytes some servers (coturn) leave in it. */
function printable(reason: string): string {
  return [...reason]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
}

/** Runs one request and turns its result into an observation. */
async function requestStep(
  session: TurnSession,
  step: RequestObservation['step'],
  method: number,
  attributes: AttributeSpec[],
): Promise<RequestObservation> {
  const r = await session.request(method, attributes);
  const msg = r.response;
  const error =
    msg?.cls === StunClass.errorResponse ? (ErrorCode.decode(msg) ?? { code: 400, reason: '' }) : null;
  const alternateServer = error?.code === 300 && msg ? AlternateServer.decode(msg) : undefined;
  const alternateDomain = error?.code === 300 && msg ? AlternateDomain.decode(msg) : undefined;
  return {
    step,
    durationMs: r.elapsedMs,
    sent: r.requestsSent,
    errorCode: error?.code ?? null,
    errorReason: error ? printable(error.reason) : null,
    success: msg?.cls === StunClass.successResponse,
    failure: r.failure,
    authenticated: r.authenticated,
    challenges: r.challenges,
    integrity: r.integrity,
    relayed: msg ? (XorRelayedAddress.decode(msg) ?? null) : null,
    mapped: msg ? (XorMappedAddress.decode(msg) ?? null) : null,
    lifetimeS: msg ? (Lifetime.decode(msg) ?? null) : null,
    ...(alternateServer ? { alternateServer } : {}),
    ...(alternateDomain !== undefined ? { alternateDomain } : {}),
  };
}

/**
 * Sends a fresh payload from `from` toward `to`'s relayed address (through `send`) until `to`'s client
 * receives it, on the retransmission schedule of requests (RFC 8489 §6.2.1) so a lost datagram is not
 * mistaken for a broken relay.
 */
async function dataStep(
  step: DataStepName,
  from: TurnSession,
  to: TurnSession,
  via: DataObservation['via'],
  send: (payload: Buffer) => void,
): Promise<DataObservation> {
  const payload = Buffer.concat([Buffer.from(`ice-doctor ${step} `), randomBytes(8)]);
  const r = await from.retransmit<RelayedData>(
    () => send(payload),
    (done) =>
      to.onRelayed((d) => {
        if (d.data.equals(payload)) done(d);
      }),
  );
  return {
    step,
    durationMs: r.value ? r.sinceLastSendMs! : r.elapsedMs,
    sent: r.sent,
    via,
    received: r.value?.via ?? null,
    failure: r.failure === 'timeout' ? null : r.failure,
  };
}

/** A Send indication to `peer` (RFC 8656 §11.2) carrying the payload. */
function viaSendIndication(session: TurnSession, peer: TransportAddress): (payload: Buffer) => void {
  return (payload) =>
    session.indication(StunMethod.send, [XorPeerAddress.encode(peer), Data.encode(payload)]);
}

/** An allocation made: its session and relayed address. */
interface Allocated {
  session: TurnSession;
  relayed: TransportAddress;
}

/**
 * The steps of one target, each appended to `out` as it finishes so a deadline leaves what ran: resolve,
 * connect, Allocate (RFC 8656 §7.1) for A and for the peer B, CreatePermission both ways (§9), data both
 * ways through Send indications (§11), ChannelBind both ways (§12.1), ChannelData both ways (§12.4),
 * Refresh, Refresh(LIFETIME 0) to delete A and B, and CreatePermission polls until A is reported gone (§7.3).
 */
class TargetRun {
  readonly out: TurnObservation[] = [];
  readonly sessions: TurnSession[] = [];
  readonly rtt = new RttEstimator();
  readonly signal: AbortSignal;
  quality: QualityObservation | undefined;
  private readonly startedAt = performance.now();
  /** The name TLS certificates are checked against: the URL's host, or a followed ALTERNATE-DOMAIN. */
  serverName: string;

  constructor(
    private readonly target: TurnTarget,
    private readonly opts: TurnCheckOptions,
    /** The address checked, when the name has several (shown in progress lines). */
    private readonly node: string | null = null,
  ) {
    this.signal = AbortSignal.timeout(opts.timeoutMs);
    this.serverName = target.host;
  }

  /**
   * Starts over at a 300's alternate (RFC 8489 §10): closes every session, keeps only the resolve step,
   * and checks TLS certificates against `serverName` from now on.
   */
  restartAt(serverName: string): void {
    this.close();
    this.sessions.length = 0;
    this.out.splice(0, this.out.length, ...this.out.filter((o) => o.step === 'resolve'));
    this.serverName = serverName;
  }

  private progress(step: string): void {
    const node = this.node ? ` [${this.node}]` : '';
    this.opts.onProgress?.(`${this.target.url}${node}: ${step}`);
  }

  private record<T extends TurnObservation>(o: T): T {
    this.out.push(o);
    return o;
  }

  /**
   * Resolves the host (at most 2 s, `resolveServer`), or takes the address `plan` resolved (one node of a
   * multi-address name); null when it does not resolve.
   */
  async resolve(plan?: NodePlan): Promise<TransportAddress | null> {
    if (plan) return this.record(plan.resolved).address;
    this.progress('resolve');
    const start = performance.now();
    try {
      const address = await resolveServer(this.target, Math.min(DNS_TIMEOUT_MS, this.opts.timeoutMs));
      this.record({ step: 'resolve', durationMs: performance.now() - start, address, error: null });
      return address;
    } catch (err) {
      const error = err instanceof ResolveError ? err.message : String(err);
      this.record({ step: 'resolve', durationMs: performance.now() - start, address: null, error });
      return null;
    }
  }

  /** Opens a session; the first one's handshake is the `connect` step (TCP/TLS only). */
  async open(server: TransportAddress, recordAs: 'connect' | null): Promise<TurnSession | LinkConnectError> {
    if (recordAs) this.progress('connect');
    const start = performance.now();
    try {
      const session = await TurnSession.open({
        transport: this.target.transport,
        to: server,
        serverName: this.serverName,
        insecure: this.opts.insecure,
        ca: this.opts.ca,
        proxy: this.opts.proxy,
        connectTimeoutMs: Math.min(this.opts.timeoutMs, 5000),
        signal: this.signal,
        credentials: this.opts.credentials.credentials,
        rtt: this.rtt,
      });
      this.sessions.push(session);
      if (recordAs && this.target.transport !== 'udp') {
        const durationMs = performance.now() - start;
        this.record({ step: recordAs, durationMs, errorCode: null, facts: null, plainStun: null });
      }
      return session;
    } catch (err) {
      if (!(err instanceof LinkConnectError)) throw err;
      if (recordAs) {
        const plainStun = err.code === TLS_NO_HANDSHAKE ? await this.answersPlainStun(server, err) : null;
        this.record({
          step: recordAs,
          durationMs: err.elapsedMs,
          errorCode: err.code,
          facts: err.facts,
          plainStun,
        });
      }
      return err;
    }
  }

  /**
   * After a TLS handshake that did not happen: whether the port answers a STUN Binding request (RFC 8489
   * §6.2.2) over plain TCP within the same RTT-based wait — if it does, it is a plain `turn:` port.
   */
  private async answersPlainStun(server: TransportAddress, err: LinkConnectError): Promise<boolean> {
    const req = bindingRequest();
    const waitMs = err.facts.tlsWaitMs ?? Math.min(this.opts.timeoutMs, 5000);
    const rtt = new RttEstimator();
    if (err.facts.tcpConnectMs !== null) rtt.observe(err.facts.tcpConnectMs);
    const r = await streamExchange(req.bytes, req.transactionId, {
      transport: 'tcp',
      to: server,
      serverName: this.serverName,
      proxy: this.opts.proxy,
      rtt,
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(waitMs)]),
    });
    return r.response !== null;
  }

  /**
   * Allocate with REQUESTED-TRANSPORT UDP for a relay of `family`, the family of the server's address (RFC
   * 8656 §7.1: an IPv6-only server answers 440 to the default IPv4); a session that could not connect is
   * recorded as this step's failure. Null unless the allocation succeeded with a relayed address.
   */
  async allocate(
    session: TurnSession | LinkConnectError,
    step: 'allocate' | 'peer-allocate',
    family: Family,
  ): Promise<Allocated | null> {
    this.progress(step);
    if (session instanceof LinkConnectError) {
      this.record(connectFailureAsRequest(step, session));
      return null;
    }
    const o = this.record(
      await requestStep(session, step, StunMethod.allocate, allocateAttributes(family, false)),
    );
    return o.success && o.relayed ? { session, relayed: o.relayed } : null;
  }

  /**
   * The `family-allocate` step: on a new session, Allocate with REQUESTED-ADDRESS-FAMILY `family` (RFC 8656
   * §7.1: success, or 440 when the server does not relay it), and Refresh(LIFETIME 0) to delete what it got.
   */
  async familyAllocate(server: TransportAddress, family: Family): Promise<void> {
    this.progress('family-allocate');
    const session = await this.open(server, null);
    if (session instanceof LinkConnectError) {
      this.record(connectFailureAsRequest('family-allocate', session));
      return;
    }
    const o = this.record(
      await requestStep(session, 'family-allocate', StunMethod.allocate, allocateAttributes(family, true)),
    );
    if (o.success) await session.request(StunMethod.refresh, [Lifetime.encode(0)]);
  }

  /**
   * CreatePermission both ways (RFC 8656 §9): each allocation for the other's relayed address; true when
   * both succeeded.
   */
  async permissions(a: Allocated, b: Allocated): Promise<boolean> {
    this.progress('create-permission');
    const [pa, pb] = await Promise.all([
      requestStep(a.session, 'create-permission', StunMethod.createPermission, [
        XorPeerAddress.encode(b.relayed),
      ]),
      requestStep(b.session, 'peer-create-permission', StunMethod.createPermission, [
        XorPeerAddress.encode(a.relayed),
      ]),
    ]);
    this.record(pa);
    this.record(pb);
    return pa.success && pb.success;
  }

  /**
   * Send indications both ways (RFC 8656 §11), before any channel is bound: each must arrive as a Data
   * indication.
   */
  async sendIndications(a: Allocated, b: Allocated): Promise<void> {
    this.progress('send-indication');
    const both = await Promise.all([
      dataStep(
        'send-indication',
        a.session,
        b.session,
        'send-indication',
        viaSendIndication(a.session, b.relayed),
      ),
      dataStep(
        'peer-send-indication',
        b.session,
        a.session,
        'send-indication',
        viaSendIndication(b.session, a.relayed),
      ),
    ]);
    for (const o of both) this.record(o);
  }

  /**
   * ChannelBind both ways (RFC 8656 §12.1), channel 0x4000 to the other's relayed address; true when both
   * succeeded.
   */
  async channels(a: Allocated, b: Allocated): Promise<boolean> {
    this.progress('channel-bind');
    const [ca, cb] = await Promise.all([
      requestStep(a.session, 'channel-bind', StunMethod.channelBind, [
        ChannelNumber.encode(CHANNEL),
        XorPeerAddress.encode(b.relayed),
      ]),
      requestStep(b.session, 'peer-channel-bind', StunMethod.channelBind, [
        ChannelNumber.encode(CHANNEL),
        XorPeerAddress.encode(a.relayed),
      ]),
    ]);
    this.record(ca);
    this.record(cb);
    return ca.success && cb.success;
  }

  /**
   * ChannelData both ways; where it did not arrive as ChannelData, a Send indication on the same path tells
   * whether the server drops the client's ChannelData or does not send ChannelData itself.
   */
  async channelData(a: Allocated, b: Allocated): Promise<void> {
    this.progress('channel-data');
    const ways = [
      { from: a, to: b, step: 'channel-data', bound: 'bound-send-indication' },
      { from: b, to: a, step: 'peer-channel-data', bound: 'peer-bound-send-indication' },
    ] as const;
    const first = await Promise.all(
      ways.map((w) =>
        dataStep(w.step, w.from.session, w.to.session, 'channel-data', (p) =>
          w.from.session.channelData(CHANNEL, p),
        ),
      ),
    );
    for (const o of first) this.record(o);
    const retry = ways.filter((_, i) => first[i]!.received !== 'channel-data');
    const second = await Promise.all(
      retry.map((w) =>
        dataStep(
          w.bound,
          w.from.session,
          w.to.session,
          'send-indication',
          viaSendIndication(w.from.session, w.to.relayed),
        ),
      ),
    );
    for (const o of second) this.record(o);
  }

  /**
   * Refresh, then delete with Refresh(LIFETIME 0) (RFC 8656 §7.3); B is deleted while A's deletion is
   * checked.
   */
  async refreshAndDelete(a: Allocated, b: Allocated | null, server: TransportAddress): Promise<void> {
    this.progress('refresh');
    this.record(
      await requestStep(a.session, 'refresh', StunMethod.refresh, [Lifetime.encode(REFRESH_LIFETIME_S)]),
    );
    this.progress('delete');
    const del = this.record(await requestStep(a.session, 'delete', StunMethod.refresh, [Lifetime.encode(0)]));
    await Promise.all([
      del.success ? this.deletedCheck(a, b?.relayed ?? server) : null,
      b
        ? requestStep(b.session, 'peer-delete', StunMethod.refresh, [Lifetime.encode(0)]).then((o) =>
            this.record(o),
          )
        : null,
    ]);
  }

  /**
   * Sends CreatePermission for `peer` every {@link DELETE_POLL_MS} until the server stops treating the
   * allocation as alive — 437 Allocation Mismatch, or a closed connection over TCP/TLS, means it is gone
   * (RFC 8656 §7.3, §9.2) — at most {@link DELETE_POLLS} times. CreatePermission does not touch the
   * allocation's lifetime, so polling cannot keep it alive (a Refresh would: coturn deletes on its next
   * one-second timer tick, and every Refresh restarts that timer).
   */
  private async deletedCheck(a: Allocated, peer: TransportAddress): Promise<void> {
    const start = performance.now();
    let sent = 0;
    let last: RequestObservation | null = null;
    for (let i = 0; i < DELETE_POLLS && (last === null || stillAllocated(last)); i++) {
      if (i > 0) await sleep(DELETE_POLL_MS);
      last = await requestStep(a.session, 'deleted-check', StunMethod.createPermission, [
        XorPeerAddress.encode(peer),
      ]);
      sent += last.sent;
    }
    this.record({ ...last!, sent, durationMs: performance.now() - start });
  }

  /** The relay quality measure ({@link qualityStep}) unless `quality: false`. */
  async measureQuality(a: Allocated, b: Allocated | null): Promise<void> {
    if (this.opts.quality === false) return;
    this.progress('quality');
    const opts = this.opts.quality ?? { streamMs: DEFAULT_QUALITY_STREAM_MS };
    const spentMs = performance.now() - this.startedAt;
    const time = { spentMs, leftMs: this.opts.timeoutMs - spentMs };
    this.quality = await qualityStep(
      opts,
      time,
      this.out,
      a.session,
      b?.session ?? null,
      CHANNEL,
      this.signal,
    );
  }

  /**
   * The reach check from outside (`reachFromOutside`) once A is allocated, on sessions this run opens and
   * closes, beside the steps after A's allocation (it has its own allocations).
   */
  async outsideReach(server: TransportAddress): Promise<OutsideReachObservation> {
    const leftMs = this.opts.timeoutMs - (performance.now() - this.startedAt);
    const worstMs = reachWorstCaseMs(this.rtt.rtoMs);
    if (leftMs < worstMs)
      return reachNotStarted(
        server,
        `not run: ${Math.round(leftMs)} ms left before the deadline (--timeout), its worst case is ${worstMs} ms`,
      );
    this.progress('outside reach');
    return reachFromOutside({
      server,
      bindingTo: bindingAddress(server, this.target.transport),
      clientMapped: firstRequest({ observations: this.out }, 'allocate')?.mapped ?? null,
      open: () => this.open(server, null),
      allocateAttributes: allocateAttributes(server.family, false),
      rtt: this.rtt,
      signal: this.signal,
    });
  }

  /** Closes every session this run opened. */
  close(): void {
    for (const s of this.sessions) s.close();
  }
}

/** A peer connection that failed after the first succeeded, reported on the peer's Allocate step. */
function connectFailureAsRequest(
  step: RequestObservation['step'],
  err: LinkConnectError,
): RequestObservation {
  return {
    step,
    durationMs: err.elapsedMs,
    sent: 0,
    errorCode: null,
    errorReason: null,
    success: false,
    failure: { kind: 'error', message: err.message },
    authenticated: false,
    challenges: [],
    integrity: null,
    relayed: null,
    mapped: null,
    lifetimeS: null,
  };
}

/**
 * Checks one TURN server over one transport (RFC 8656 §7–12) with a second allocation as the peer, then
 * (once the first Allocate was answered with success or 440) asks for a relay of the other address family,
 * and returns what every step observed. Never rejects for network reasons: failures are observations; a step
 * that cannot run after a failure is simply absent. Every socket is closed before it returns.
 * @param plan one address of the host, resolved beforehand (`planNodes`); without it the host is resolved
 *   here to its first address.
 */
export async function checkTurnTarget(
  target: TurnTarget,
  opts: TurnCheckOptions,
  plan?: NodePlan,
): Promise<TurnTargetObservations> {
  const start = performance.now();
  const run = new TargetRun(target, opts, plan?.node?.address ?? null);
  let server: TransportAddress | null = null;
  let realm: string | null = null;
  let reach: OutsideReachObservation | null | undefined = opts.outsideReach === false ? undefined : null;
  let audit: Promise<TlsAuditObservation> | null = null;
  const noTls = new AbortController();
  let alternate: TurnAlternate | undefined;
  try {
    server = await run.resolve(plan);
    if (server && opts.timeoutMs <= 0) {
      run.out.push(notStarted());
      server = null;
    }
    if (server && target.transport === 'tls') {
      const timeoutMs = Math.min(TLS_AUDIT_TIMEOUT_MS, opts.timeoutMs);
      audit = probeTls({
        to: server,
        host: target.host,
        ca: opts.ca,
        timeoutMs,
        signal: noTls.signal,
        proxy: opts.proxy,
      });
    }
    if (server) {
      let at = await serverSteps(run, server, reach !== undefined);
      const redirect = redirectOf(run.out);
      if (redirect) {
        alternate = alternateOf(server, redirect, opts.followAlternate);
        if (alternate.followed) {
          run.restartAt(redirect.domain ?? target.host);
          at = await serverSteps(run, redirect.to, reach !== undefined);
          alternate = { ...alternate, secondRedirect: redirectOf(run.out)?.to ?? null };
        }
      }
      realm = at.realm;
      reach = at.reach ?? reach;
    }
  } finally {
    run.close();
  }
  if (!handshakeSeen(run.out)) noTls.abort();
  const tlsAudit = audit ? await audit : undefined;
  return {
    url: target.url,
    transport: target.transport,
    host: target.host,
    credentials: opts.credentials.source,
    username: opts.credentials.credentials.username,
    insecure: opts.insecure && target.transport === 'tls',
    customCa: (opts.ca?.length ?? 0) > 0 && target.transport === 'tls',
    realm,
    observations: run.out,
    ...(reach !== undefined && { outsideReach: reach }),
    durationMs: performance.now() - start,
    ...(run.quality && { quality: run.quality }),
    ...(plan?.node ? { node: { ...plan.node, rttMs: nodeRttMs(run.out) } } : {}),
    ...(tlsAudit ? { tlsAudit, ca: opts.ca } : {}),
    ...(alternate ? { alternate } : {}),
    ...(server && viaProxy(target, server, opts.proxy) ? { viaProxy: true } : {}),
  };
}

/**
 * The Allocate of a check the run's deadline came before (a node queued behind the parallel bound): not
 * sent, failure `aborted` (diagnosed `deadline-exceeded`).
 */
function notStarted(): RequestObservation {
  const failure = {
    kind: 'aborted',
    message: 'not started: the deadline (--timeout) came before it',
  } as const;
  return { ...connectFailureAsRequest('allocate', new LinkConnectError('ETIMEDOUT', 0)), failure };
}

/** What {@link serverSteps} found: the realm the server named, and the reach check's result when it ran. */
interface ServerStepsResult {
  realm: string | null;
  reach: OutsideReachObservation | undefined;
}

/**
 * Connect, Allocate, and everything after it at one server address, with the reach check from outside
 * beside the peer steps when `outsideReach` is true.
 */
async function serverSteps(
  run: TargetRun,
  server: TransportAddress,
  outsideReach: boolean,
): Promise<ServerStepsResult> {
  const first = await run.open(server, 'connect');
  if (first instanceof LinkConnectError) return { realm: null, reach: undefined };
  const a = await run.allocate(first, 'allocate', server.family);
  const asked = outsideReach ? (at: TransportAddress) => run.outsideReach(at) : null;
  const peer = a ? await peerSteps(run, server, a, asked) : undefined;
  if (a || refusedFamily(run.out)) await run.familyAllocate(server, otherFamily(server.family));
  return { realm: first.realm, reach: await peer?.aside };
}

/**
 * True when the check's own connection got as far as a TLS handshake (the connect step succeeded or failed
 * on the certificate): when it did not (refused, silent, not TLS), the audit's handshakes are not waited for.
 */
function handshakeSeen(out: readonly TurnObservation[]): boolean {
  const c = out.find((o): o is ConnectObservation => o.step === 'connect');
  return c !== undefined && (c.errorCode === null || c.facts?.certificate != null);
}

/** True when the first Allocate was answered 440: the server does not relay the family it asked for. */
function refusedFamily(out: readonly TurnObservation[]): boolean {
  return firstRequest({ observations: out }, 'allocate')?.errorCode === 440;
}

/**
 * Everything after A's allocation: the peer B, permissions, data both ways, channels, refresh, delete; and
 * `beside` (the reach check), started once B's Allocate is answered so its own allocations cannot take a
 * quota slot B needed. Its promise is handed back un-awaited (`aside`), so the steps after these (the
 * family Allocate) do not wait for it; the caller awaits it before the run closes its sessions.
 */
async function peerSteps<T>(
  run: TargetRun,
  server: TransportAddress,
  a: Allocated,
  beside: ((server: TransportAddress) => Promise<T>) | null,
): Promise<{ aside: Promise<T> | undefined }> {
  const b = await run.allocate(await run.open(server, null), 'peer-allocate', server.family);
  const aside = beside?.(server);
  if (b && (await run.permissions(a, b))) {
    await run.sendIndications(a, b);
    if (await run.channels(a, b)) await run.channelData(a, b);
  }
  await run.measureQuality(a, b);
  await run.refreshAndDelete(a, b, server);
  return { aside };
}
