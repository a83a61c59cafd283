import type { BrowserReport, SelectedPair } from '../../../report/browser-schema.js';
import type { IceConfig, PageConfig } from '../../api-schema.js';
import { type RoomTurnCredentials, roomIdSchema, type ServerMessage } from '../../signaling-schema.js';
import { inviteLink } from '../invite-link.js';
import { pageSignalingUrl, roomFromHash } from '../signaling-url.js';
import { signalingErrorReason } from '../signaling-words.js';
import { PeerCall } from './peer-call.js';
import { PeerView } from './peer-view.js';
import { SignalingClient } from './signaling-client.js';

/**
 * The two-peer test: this browser and another one call each other through the report server's signaling
 * (broadcaster/watcher rooms, signaling-schema.ts), and both pages show which candidate pair ICE selected
 * between them. The inviting page is the broadcaster: `#invite` creates a room and shows its link; a page
 * opened with `#room=<id>` joins it as the watcher; when the watcher joins, the broadcaster offers.
 */

/** Most TURN credentials `create`/`join` carry (`roomTurnCredentialsSchema`). */
const MAX_ROOM_CREDENTIALS = 4;

/** Whether a TURN username or credential fits `roomTurnCredentialsSchema` (128 characters). */
const fits = (text: string): boolean => text.length <= 128;

/** The two-peer test's result, as the report's `peer` field. */
export type PeerResult = NonNullable<BrowserReport['peer']>;

/** What the test needs from the page. */
export interface TwoPeerDeps {
  config: PageConfig;
  iceConfig: IceConfig;
  /** `window.location`: the signaling host, the invitation link, and the `#room=` to join. */
  loc: Location;
  /** Called with this page's view each time it is known or changes, and with a null pair on failure. */
  onResult(peer: PeerResult): void;
}

/** One page's part in one room. */
class TwoPeerSession {
  #client: SignalingClient | null = null;
  #room: string | null = null;
  #role: PeerResult['role'] = 'broadcaster';
  #call: PeerCall | null = null;
  /** The peer id of the other page of the current call. */
  #other: string | null = null;

  constructor(
    private readonly view: PeerView,
    private readonly deps: TwoPeerDeps,
  ) {}

  /** Opens a room and shows its link; a watcher joining it starts the call. */
  async invite(): Promise<void> {
    this.view.invite.disabled = true;
    this.view.setState('waiting', 'Opening a room…');
    if (await this.#connect()) this.#client?.send({ type: 'create', turn: this.#turnCredentials() });
    else this.view.invite.disabled = false;
  }

  /** Joins room `room` as the watcher (the broadcaster then offers). */
  async join(room: string): Promise<void> {
    this.view.invite.disabled = true;
    this.#role = 'watcher';
    if (!roomIdSchema.safeParse(room).success) {
      this.#failed(
        'this invitation link is damaged (its room id is not 16 letters, digits, - or _); ask for the link again',
      );
      return;
    }
    this.#room = room;
    this.view.setState('connecting', 'Joining the room of the invitation link…');
    if (await this.#connect()) this.#client?.send({ type: 'join', room, turn: this.#turnCredentials() });
  }

  /**
   * The page's distinct TURN credentials, sent with `create`/`join`: the report server binds the ones it
   * minted to this room, so they may relay toward the other page (its TURN server refuses other peers).
   */
  #turnCredentials(): RoomTurnCredentials {
    const seen = new Map<string, RoomTurnCredentials[number]>();
    for (const s of this.deps.iceConfig.iceServers)
      if (s.username !== undefined && s.credential !== undefined && fits(s.username) && fits(s.credential))
        seen.set(`${s.username}\n${s.credential}`, { username: s.username, credential: s.credential });
    return [...seen.values()].slice(0, MAX_ROOM_CREDENTIALS);
  }

  async #connect(): Promise<boolean> {
    const url = pageSignalingUrl(this.deps.config.signaling, this.deps.loc);
    if (url === null) {
      this.#failed('the report server has no signaling endpoint (both of its listeners are off)');
      return false;
    }
    try {
      this.#client = await SignalingClient.connect(url, {
        onMessage: (m) => this.#onMessage(m),
        onClose: (reason) => this.#onSignalingClosed(reason),
      });
      return true;
    } catch (err) {
      this.#failed(err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'room':
        this.#room = m.room;
        if (m.role === 'broadcaster') {
          const link = inviteLink(this.deps.loc, m.room, this.deps.config.publicHost);
          this.view.showLink(link.url, link.loopback ? link.host : null);
          const until = new Date(m.expiresAt).toLocaleTimeString();
          this.view.setState(
            'waiting',
            `Send this link to the other person; the test starts when they open it (the room closes at ${until}).`,
          );
        } else if (m.peers[0] !== undefined) {
          this.view.setState('connecting', 'Joined; waiting for the inviting page to call…');
          this.#startCall(m.peers[0], false);
        }
        return;
      case 'peer-joined':
        if (this.#call === null) {
          this.view.setState('connecting', 'The other browser joined; connecting…');
          this.#startCall(m.peerId, true);
        }
        return;
      case 'peer-left':
        if (m.peerId === this.#other) this.#onPeerLeft();
        return;
      case 'signal':
        if (m.from === this.#other) this.#call?.handle(m.payload);
        return;
      case 'error':
        if (this.#room === null || m.code === 'no-such-room' || m.code === 'room-full')
          this.#failed(signalingErrorReason(m.code, m.message));
        else this.view.setState(this.view.state, signalingErrorReason(m.code, m.message));
        return;
    }
  }

  #startCall(other: string, offer: boolean): void {
    const client = this.#client;
    if (client === null) return;
    this.#other = other;
    const call = new PeerCall(this.deps.iceConfig.iceServers, {
      send: (payload) => client.send({ type: 'signal', to: other, payload }),
      onPair: (pair) => this.#onPair(pair),
      onRemotePair: (pair) => this.view.showPair('remote', pair),
      onFailed: (reason) => {
        this.#endCall();
        this.#failed(reason);
      },
    });
    this.#call = call;
    if (offer) void call.offer();
  }

  #onPair(pair: SelectedPair): void {
    this.view.showPair('local', pair);
    const via =
      pair.relayProtocol === null ? 'directly' : `through a TURN relay (${pair.relayProtocol.toUpperCase()})`;
    this.view.setState(
      'connected',
      `Connected ${via}: ${pair.localType} ↔ ${pair.remoteType} over ${pair.protocol.toUpperCase()}.`,
    );
    this.#report(pair);
  }

  #report(selectedPair: SelectedPair | null): void {
    if (this.#room !== null) this.deps.onResult({ room: this.#room, role: this.#role, selectedPair });
  }

  #endCall(): void {
    this.#call?.close();
    this.#call = null;
    this.#other = null;
  }

  #onPeerLeft(): void {
    const wasConnected = this.view.state === 'connected';
    this.#endCall();
    if (this.#role === 'watcher') {
      if (wasConnected)
        this.view.setState('connected', 'The inviting page was closed; the result above stands.');
      else this.#failed('the page that invited you was closed before the call connected; ask for a new link');
      this.#client?.close();
      return;
    }
    if (wasConnected)
      this.view.setState(
        'connected',
        'The other browser left; the result above stands. The link still works for another test.',
      );
    else
      this.view.setState(
        'waiting',
        'The other browser left before the call connected; the link still works.',
      );
  }

  #onSignalingClosed(reason: string): void {
    this.#client = null;
    this.view.invite.disabled = this.#role === 'watcher';
    if (this.view.state === 'connected')
      this.view.setState('connected', `The result above stands; signaling ended: ${reason}.`);
    else {
      this.#endCall();
      this.#failed(reason);
    }
  }

  #failed(reason: string): void {
    this.view.setState('failed', `Failed: ${reason}.`);
    this.#report(null);
  }
}

/**
 * Mounts the two-peer test at the end of `section`: the `#invite` button starts a room (the broadcaster);
 * a page whose URL has `#room=<id>` (on load, or when the fragment changes to one) joins it as the
 * watcher. Both pages show `#peer-result` (see peer-view.ts) and report their view through `onResult`. One
 * room per page: the broadcaster calls the first watcher, and the next one after that one left.
 */
export function mountTwoPeer(section: HTMLElement, deps: TwoPeerDeps): void {
  const view = new PeerView(section);
  let session: TwoPeerSession | null = null;
  const joinFromHash = (): void => {
    const room = roomFromHash(deps.loc.hash);
    if (room === null || session !== null) return;
    session = new TwoPeerSession(view, deps);
    void session.join(room);
  };
  view.invite.addEventListener('click', () => {
    session = new TwoPeerSession(view, deps);
    void session.invite();
  });
  window.addEventListener('hashchange', joinFromHash);
  joinFromHash();
}
