import type { CandidateType, SelectedPair } from '../../../report/browser-schema.js';
import { selectedPairSchema } from '../../../report/browser-schema.js';
import type { IceServer } from '../../api-schema.js';
import type { SignalPayload } from '../../signaling-schema.js';
import { parseCandidateLine } from '../candidates.js';
import { explainPeerFailure } from '../peer-failure.js';
import { candidateKey, withTrickledType } from '../peer-pair.js';
import { PairChangeTracker } from '../selected-pair.js';
import type { StatsLike } from '../stats.js';

/**
 * One call of the two-peer test: an `RTCPeerConnection` (`iceTransportPolicy: 'all'`, every ICE server)
 * between this page and one other page, its SDP and trickled candidates (RFC 8838) carried over signaling
 * by the caller, a data channel, and the pair ICE selected read from `getStats()` every
 * {@link POLL_MS}. The call fails when it has not connected by its deadline, or when ICE fails first.
 */

/** Time a call has to connect, from its creation, in ms. */
const CONNECT_DEADLINE_MS = 15_000;
/** Interval of the `getStats()` polls, in ms. */
const POLL_MS = 500;
/** Label of the call's data channel. */
const CHANNEL_LABEL = 'ice-doctor-peer';

/** What a call reports to its owner. */
export interface PeerCallEvents {
  /** A signaling payload for the other page. */
  send(payload: SignalPayload): void;
  /**
   * This page's view of the selected pair: first when the call is connected (ICE, DTLS and the data
   * channel all up), again when the pair or a type changes or its RTT first becomes known. A remote
   * candidate that stats call `prflx` but that the other browser trickled gets its trickled type
   * (peer-pair.ts).
   */
  onPair(pair: SelectedPair): void;
  /** The other page's view, as it sent it (`result` payload). */
  onRemotePair(pair: SelectedPair): void;
  /** The call did not connect, or lost its path; the reason in plain words. Nothing follows. */
  onFailed(reason: string): void;
}

/** One peer connection to one other page. */
export class PeerCall {
  readonly #pc: RTCPeerConnection;
  readonly #events: PeerCallEvents;
  readonly #tracker = new PairChangeTracker();
  readonly #localTypes = new Set<CandidateType>();
  /** The other browser's trickled candidates (`address:port` → type). */
  readonly #trickled = new Map<string, CandidateType>();
  readonly #deadline: ReturnType<typeof setTimeout>;
  readonly #poll: ReturnType<typeof setInterval>;
  #channelOpen = false;
  #remoteDescription = false;
  #connected = false;
  #closed = false;
  /** What the last reported pair looked like (its change count, types, and whether it had an RTT). */
  #reported = '';
  /** Incoming payloads, handled one at a time in arrival order. */
  #queue: Promise<void> = Promise.resolve();

  /**
   * Creates the connection; the caller then calls {@link offer} (the broadcaster) or waits for the other
   * page's offer (the watcher). The deadline starts now.
   */
  constructor(iceServers: readonly IceServer[], events: PeerCallEvents) {
    this.#events = events;
    this.#pc = new RTCPeerConnection({ iceServers: [...iceServers], iceTransportPolicy: 'all' });
    this.#pc.onicecandidate = (event) => {
      const c = event.candidate;
      if (c?.type) this.#localTypes.add(c.type);
      events.send({
        kind: 'candidate',
        candidate: c && {
          candidate: c.candidate,
          sdpMid: c.sdpMid,
          sdpMLineIndex: c.sdpMLineIndex,
          usernameFragment: c.usernameFragment,
        },
      });
    };
    this.#pc.ondatachannel = (event) => this.#watch(event.channel);
    this.#pc.oniceconnectionstatechange = () => {
      if (this.#pc.iceConnectionState === 'failed' && !this.#connected) this.#fail(null);
    };
    this.#pc.onconnectionstatechange = () => {
      if (this.#pc.connectionState === 'failed' && this.#connected)
        this.#failWith(
          'the call connected, then lost its path: the other page may have closed, or a network changed',
        );
    };
    this.#deadline = setTimeout(() => {
      if (!this.#connected) this.#fail(CONNECT_DEADLINE_MS);
    }, CONNECT_DEADLINE_MS);
    this.#poll = setInterval(() => void this.#readPair(), POLL_MS);
  }

  /** The broadcaster's side: opens the data channel and sends the offer. */
  async offer(): Promise<void> {
    this.#watch(this.#pc.createDataChannel(CHANNEL_LABEL));
    try {
      const offer = await this.#pc.createOffer();
      await this.#pc.setLocalDescription(offer);
      this.#events.send({ kind: 'offer', sdp: this.#pc.localDescription?.sdp ?? '' });
    } catch (err) {
      this.#failWith(`this browser could not create an offer: ${message(err)}`);
    }
  }

  /** Handles a payload from the other page (in arrival order, after the previous one). */
  handle(payload: SignalPayload): void {
    this.#queue = this.#queue.then(() => this.#apply(payload));
  }

  /** Ends the call: closes the connection, stops the deadline and the polls. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#deadline);
    clearInterval(this.#poll);
    this.#pc.close();
  }

  async #apply(payload: SignalPayload): Promise<void> {
    if (this.#closed) return;
    try {
      switch (payload.kind) {
        case 'offer':
          await this.#pc.setRemoteDescription({ type: 'offer', sdp: payload.sdp });
          this.#remoteDescription = true;
          await this.#pc.setLocalDescription(await this.#pc.createAnswer());
          this.#events.send({ kind: 'answer', sdp: this.#pc.localDescription?.sdp ?? '' });
          return;
        case 'answer':
          await this.#pc.setRemoteDescription({ type: 'answer', sdp: payload.sdp });
          this.#remoteDescription = true;
          return;
        case 'candidate':
          await this.#addCandidate(payload.candidate);
          return;
        case 'result':
          this.#remoteResult(payload.summary);
          return;
      }
    } catch (err) {
      this.#failWith(`the other browser's ${payload.kind} was refused: ${message(err)}`);
    }
  }

  async #addCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    if (candidate === null) {
      // End of candidates (RFC 8838 §4.2); a browser that does not take the signal is no failure.
      await this.#pc.addIceCandidate().catch(() => undefined);
      return;
    }
    try {
      const c = parseCandidateLine(candidate.candidate ?? '');
      this.#trickled.set(candidateKey(c.address, c.port), c.type);
    } catch {
      // Not our grammar (a new extension?): the browser still decides.
    }
    await this.#pc.addIceCandidate(candidate);
  }

  #remoteResult(summary: string): void {
    let json: unknown;
    try {
      json = JSON.parse(summary);
    } catch {
      return;
    }
    const parsed = selectedPairSchema.safeParse(json);
    if (parsed.success) this.#events.onRemotePair(parsed.data);
  }

  #watch(channel: RTCDataChannel): void {
    channel.onopen = () => {
      this.#channelOpen = true;
      void this.#readPair();
    };
  }

  /** One poll: once connected, reads the selected pair and reports (and sends) it when it changed. */
  async #readPair(): Promise<void> {
    if (this.#closed || !this.#channelOpen || this.#pc.connectionState !== 'connected') return;
    let stats: StatsLike[];
    try {
      stats = [...(await this.#pc.getStats()).values()];
    } catch {
      return;
    }
    if (this.#closed) return;
    const polled = this.#tracker.poll(stats);
    if (polled === null) return;
    const pair = withTrickledType(polled, this.#trickled);
    this.#connected = true;
    clearTimeout(this.#deadline);
    const shape = `${pair.pairChanges}:${pair.localType}:${pair.remoteType}:${pair.rttMs !== null}`;
    if (shape === this.#reported) return;
    this.#reported = shape;
    this.#events.onPair(pair);
    this.#events.send({ kind: 'result', summary: JSON.stringify(pair) });
  }

  #fail(deadlineMs: number | null): void {
    this.#failWith(
      explainPeerFailure({
        deadlineMs,
        remoteDescription: this.#remoteDescription,
        localTypes: this.#localTypes,
        remoteTypes: new Set(this.#trickled.values()),
        iceConnectionState: this.#pc.iceConnectionState,
        connectionState: this.#pc.connectionState,
      }),
    );
  }

  #failWith(reason: string): void {
    if (this.#closed) return;
    this.close();
    this.#events.onFailed(reason);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
