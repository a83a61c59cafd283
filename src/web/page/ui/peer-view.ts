import type { SelectedPair } from '../../../report/browser-schema.js';
import { hostPort } from '../address.js';

/**
 * The two-peer test's markup, built inside the section the page gives it: the invite button (`#invite`),
 * the link (`#invite-url`, read-only) and its copy button (`#copy-invite`), and `#peer-result` with
 * `data-state` (`waiting`, `connecting`, `connected`, `failed`), the status in words, and both pages' views
 * of the selected pair. This page's view also sets `data-local-type`, `data-remote-type` and
 * `data-relay-protocol` (`udp`, `tcp`, `tls`; absent for a pair that is not relayed) on `#peer-result`. A
 * `.peer-warning` under the link says when the link is on a loopback host (see `showLink`). Text from the network only ever goes in through `textContent`.
 */

/** The test's state, as `#peer-result[data-state]`. */
export type PeerState = 'waiting' | 'connecting' | 'connected' | 'failed';

/** Whose view of the pair: this page's or the other page's. */
export type PeerSide = 'local' | 'remote';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { id?: string; className?: string; text?: string } = {},
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.id) el.id = props.id;
  if (props.className) el.className = props.className;
  if (props.text) el.textContent = props.text;
  return el;
}

function address(addr: string | null, port: number | null): string {
  if (addr === null) return 'unknown';
  return port === null ? addr : hostPort(addr, port);
}

/** The rows of one view of a pair. */
function pairRows(pair: SelectedPair): [string, string][] {
  return [
    ['Pair', `${pair.localType} ↔ ${pair.remoteType}`],
    ['Protocol', pair.protocol.toUpperCase()],
    ['Relayed over', pair.relayProtocol === null ? 'not relayed' : pair.relayProtocol.toUpperCase()],
    ['Local address', address(pair.localAddress, pair.localPort)],
    ['Remote address', address(pair.remoteAddress, pair.remotePort)],
    ['RTT', pair.rttMs === null ? 'not measured yet' : `${pair.rttMs} ms`],
    ['Pair changes', String(pair.pairChanges)],
  ];
}

/** The markup of the two-peer test and the functions that update it. */
export class PeerView {
  /** The invite button; disabled while a room is open or this page joined one. */
  readonly invite: HTMLButtonElement;
  readonly #link: HTMLInputElement;
  readonly #copy: HTMLButtonElement;
  readonly #warning: HTMLParagraphElement;
  readonly #result: HTMLDivElement;
  readonly #status: HTMLParagraphElement;
  readonly #views: Record<PeerSide, HTMLDListElement>;
  #state: PeerState = 'waiting';

  constructor(section: HTMLElement) {
    const intro = element('p', {
      className: 'peer-intro',
      text: 'Test a call between this browser and another one (on another network, or a phone): invite a peer and send them the link. ICE then picks a path between the two browsers, using every STUN and TURN server.',
    });
    const controls = element('div', { className: 'peer-invite' });
    this.invite = element('button', { id: 'invite', text: 'Invite a peer' });
    this.invite.type = 'button';
    this.#link = element('input', { id: 'invite-url' });
    this.#link.type = 'text';
    this.#link.readOnly = true;
    this.#link.hidden = true;
    this.#link.setAttribute('aria-label', 'Invitation link');
    this.#copy = element('button', { id: 'copy-invite', text: 'Copy link' });
    this.#copy.type = 'button';
    this.#copy.hidden = true;
    this.#copy.addEventListener('click', () => void this.#copyLink());
    controls.append(this.invite, this.#link, this.#copy);
    this.#warning = element('p', { className: 'peer-warning' });
    this.#warning.setAttribute('role', 'alert');
    this.#warning.hidden = true;

    this.#result = element('div', { id: 'peer-result' });
    this.#result.setAttribute('aria-live', 'polite');
    this.#status = element('p', { className: 'peer-status' });
    const views = element('div', { className: 'peer-views' });
    const view = (side: PeerSide, title: string): HTMLDListElement => {
      const box = element('div', { className: `peer-view peer-view-${side}` });
      const list = element('dl');
      box.hidden = true;
      box.append(element('h3', { text: title }), list);
      views.append(box);
      return list;
    };
    this.#views = {
      local: view('local', "This browser's view"),
      remote: view('remote', "The other browser's view"),
    };
    this.#result.append(this.#status, views);
    section.append(intro, controls, this.#warning, this.#result);
    this.setState('waiting', 'Not started: invite a peer, or open an invitation link.');
  }

  /** Sets `data-state` and the status line. */
  setState(state: PeerState, status: string): void {
    this.#state = state;
    this.#result.dataset.state = state;
    this.#status.textContent = status;
  }

  /** The current `data-state`. */
  get state(): PeerState {
    return this.#state;
  }

  /**
   * Shows the invitation link and its copy button; with `loopbackHost` (the link's host when it is a loopback
   * one), a warning (`.peer-warning`) that another device cannot open it, and how to fix that.
   */
  showLink(url: string, loopbackHost: string | null): void {
    this.#link.value = url;
    this.#link.hidden = false;
    this.#copy.hidden = false;
    this.#warning.hidden = loopbackHost === null;
    this.#warning.textContent =
      loopbackHost === null
        ? ''
        : `Only this device can open this link: ${loopbackHost} is this machine's loopback address. For another device, start the server with "ice-doctor serve --public-host NAME" (a name or LAN address the other device reaches), or open this page by the machine's LAN address, then invite again.`;
  }

  /** Shows one side's view of the selected pair; this page's also sets the `data-*` attributes. */
  showPair(side: PeerSide, pair: SelectedPair): void {
    const list = this.#views[side];
    list.replaceChildren(
      ...pairRows(pair).flatMap(([term, value]) => [
        element('dt', { text: term }),
        element('dd', { text: value }),
      ]),
    );
    if (list.parentElement) list.parentElement.hidden = false;
    if (side !== 'local') return;
    this.#result.dataset.localType = pair.localType;
    this.#result.dataset.remoteType = pair.remoteType;
    if (pair.relayProtocol === null) delete this.#result.dataset.relayProtocol;
    else this.#result.dataset.relayProtocol = pair.relayProtocol;
  }

  /** Copies the link (Clipboard API, secure contexts only), else selects it for Ctrl+C. */
  async #copyLink(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.#link.value);
      this.#copy.textContent = 'Copied';
    } catch {
      this.#link.select();
      this.#copy.textContent = 'Selected: press Ctrl+C';
    }
  }
}
