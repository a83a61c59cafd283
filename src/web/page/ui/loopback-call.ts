import type { Gathering } from './gathering.js';

/**
 * A call between two peer connections of this page: the offering end is a {@link Gathering}, the answering
 * end is made here with its own configuration; offer, answer and trickled candidates are handed over
 * in-page (no signaling). W3C WebRTC §4.4 (offer/answer), RFC 8838 (trickle ICE).
 */

/** A connected loopback call; `close()` closes both ends. */
export interface LoopbackCall {
  /** The offering end, with its data channels (all open). */
  readonly a: Gathering;
  /** The answering end. */
  readonly b: RTCPeerConnection;
  close(): void;
}

/**
 * The call did not connect; `message` says how far it got. `stage`: `ice` (no candidate pair got an answer,
 * RFC 8445 §7.2.5.3), `dtls` (ICE connected, the DTLS handshake failed, RFC 8827 §6.5), `stopped` (the caller's
 * signal aborted: a deadline), `refused` (the browser refused a description).
 */
export class CallError extends Error {
  override name = 'CallError';
  /** @param stage see the class comment. */
  constructor(
    readonly stage: 'ice' | 'dtls' | 'stopped' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

/** Adds candidates to `pc`; those given before `flush()` (before its remote description is set) wait in order. */
function candidateQueue(pc: RTCPeerConnection): { add(c: RTCIceCandidateInit): void; flush(): void } {
  let waiting: RTCIceCandidateInit[] | null = [];
  const add = (c: RTCIceCandidateInit): void => {
    pc.addIceCandidate(c).catch(() => undefined);
  };
  return {
    add(c) {
      if (waiting) waiting.push(c);
      else add(c);
    },
    flush() {
      for (const c of waiting ?? []) add(c);
      waiting = null;
    },
  };
}

/** Resolves when every channel is open; rejects when the connection fails or `stop` aborts. */
function channelsOpen(a: Gathering, stop: AbortSignal): Promise<void> {
  const channels = [...a.channels.values()];
  return new Promise((resolve, reject) => {
    const abort = (): void =>
      done(
        new CallError(
          'stopped',
          `${String(stop.reason)} (ICE ${a.pc.iceConnectionState}, connection ${a.pc.connectionState})`,
        ),
      );
    const check = (): void => {
      if (a.pc.connectionState === 'failed')
        done(
          a.pc.sctp?.transport.state === 'failed'
            ? new CallError('dtls', 'ICE connected, but the DTLS handshake failed')
            : new CallError('ice', 'ICE failed: no candidate pair got an answer'),
        );
      else if (channels.every((c) => c.readyState === 'open')) done(null);
    };
    const done = (err: CallError | null): void => {
      stop.removeEventListener('abort', abort);
      a.pc.removeEventListener('connectionstatechange', check);
      for (const c of channels) c.removeEventListener('open', check);
      if (err) reject(err);
      else resolve();
    };
    a.pc.addEventListener('connectionstatechange', check);
    for (const c of channels) c.addEventListener('open', check);
    stop.addEventListener('abort', abort);
    if (stop.aborted) abort();
    else check();
  });
}

/**
 * Connects `a` to a new answering end made with `config`, and waits until all of `a`'s data channels are open.
 * It can start before `a` has gathered anything: candidates trickle both ways as they come.
 * @param onChannel gets each data channel as it arrives at the answering end (to serve echo, throughput …).
 * @param stop gives up when aborted; its `reason` (a string) says why, e.g. a deadline (see `deadlineSignal`).
 * @throws CallError when `stop` aborts first, ICE or DTLS fails, or the browser refuses a description (the
 * answering end is then closed; `a` is the caller's).
 */
export async function connectLoopback(
  a: Gathering,
  config: RTCConfiguration,
  onChannel: (channel: RTCDataChannel) => void,
  stop: AbortSignal,
): Promise<LoopbackCall> {
  const b = new RTCPeerConnection(config);
  const toA = candidateQueue(a.pc);
  b.addEventListener('datachannel', (event) => onChannel(event.channel));
  b.addEventListener('icecandidate', (event) => {
    if (event.candidate?.candidate) toA.add(event.candidate.toJSON());
  });
  const open = channelsOpen(a, stop);
  try {
    await b.setRemoteDescription(await a.offer);
    a.trickleTo((c) => {
      b.addIceCandidate(c).catch(() => undefined);
    });
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.pc.setRemoteDescription(answer);
    toA.flush();
    await open;
  } catch (err) {
    open.catch(() => undefined);
    b.close();
    if (err instanceof CallError) throw err;
    throw new CallError(
      'refused',
      `the browser refused the call: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    a,
    b,
    close() {
      b.close();
      a.close();
    },
  };
}
