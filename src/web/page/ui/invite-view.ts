import {
  type ConsentNotice,
  EMAIL_INSTEAD,
  NOTHING_RAN,
  notSentText,
  SENT_HINT,
  sendingText,
  sentText,
} from '../invite-words.js';
import { byId, h, replaceChildren } from './dom.js';

/**
 * The `#support-link` section of a page opened from a support link (ui/invite-page.ts): hidden on any other
 * page (`#invite` is the two-peer test's button). Its state is `#support-link[data-state]` for people and
 * automation: `checking` (asking the server about the
 * link), `open` (the notice and its Start button), `refused` (the link takes no report; nothing runs),
 * `error` (the server could not be asked; "Check again"), `running` (the test runs), `sending`, `sent`
 * (`#support-link-reference` holds the reference), `not-sent` (why, what to do instead, and "Try again" when that
 * can help). Every text is set as text, never parsed as HTML.
 */

/** The states of `#support-link[data-state]`; see the module comment. */
export type InviteState =
  | 'checking'
  | 'open'
  | 'refused'
  | 'error'
  | 'running'
  | 'sending'
  | 'sent'
  | 'not-sent';

/** A button that calls `onClick` once, disabled from the first click on. */
function onceButton(id: string, text: string, onClick: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', id }, text);
  button.addEventListener('click', () => {
    button.disabled = true;
    onClick();
  });
  return button;
}

/** The mounted `#support-link` section; see the module comment. */
export class InviteView {
  readonly #body: HTMLElement;

  /** Shows `section` (`#support-link`, with its `#support-link-body`). */
  constructor(private readonly section: HTMLElement) {
    this.#body = byId('support-link-body', HTMLElement);
    section.hidden = false;
  }

  #show(state: InviteState, ...children: (Node | null)[]): void {
    this.section.dataset.state = state;
    replaceChildren(this.#body, ...children);
  }

  /** The link is being checked. */
  checking(): void {
    this.#show('checking', h('p', {}, 'Checking this support link…'));
  }

  /** The consent notice; `onStart` runs once, when the visitor presses Start. */
  notice(notice: ConsentNotice, onStart: () => void): void {
    this.#show(
      'open',
      h('p', { id: 'support-link-what' }, notice.what),
      h('p', { id: 'support-link-to' }, notice.toWhom),
      h('p', {}, notice.never),
      h('p', {}, notice.when),
      h('p', { class: 'invite-until' }, notice.until),
      h('p', { class: 'buttons' }, onceButton('support-link-start', notice.start, onStart)),
    );
  }

  /** The link takes no report (`text` says why): nothing runs. */
  refused(text: string): void {
    this.#show(
      'refused',
      h('p', { id: 'support-link-refusal', class: 'fail' }, text),
      h('p', {}, NOTHING_RAN),
    );
  }

  /** The server could not be asked about the link (`why`); `onRetry` asks again. */
  error(why: string, onRetry: () => void): void {
    this.#show(
      'error',
      h(
        'p',
        { class: 'fail' },
        `This support link could not be checked: ${why}. Nothing was tested and nothing was sent.`,
      ),
      h('p', { class: 'buttons' }, onceButton('support-link-check-again', 'Check again', onRetry)),
    );
  }

  /** The test runs; the report follows when it is done. */
  running(): void {
    this.#show('running', h('p', {}, 'The test is running. The report is sent when it has finished.'));
  }

  /** The report is on its way to `host`. */
  sending(host: string): void {
    this.#show('sending', h('p', {}, sendingText(host)));
  }

  /** `host` stored the report as `id`. */
  sent(host: string, id: string): void {
    const reference = h('code', { id: 'support-link-reference' }, id);
    const text = sentText(host, id);
    const at = text.lastIndexOf(id);
    this.#show(
      'sent',
      h('p', { class: 'ok' }, text.slice(0, at), reference, text.slice(at + id.length)),
      h('p', {}, SENT_HINT),
    );
  }

  /**
   * The report was not sent (`why`). With `exported`, the advice to download it and a button that brings the
   * visitor to `#export-json`; with `retry`, a "Try again" button that calls it.
   */
  notSent(why: string, options: { exported: boolean; retry: (() => void) | null }): void {
    const toExport = h('button', { type: 'button', id: 'support-link-to-export' }, 'Go to “Download JSON”');
    toExport.addEventListener('click', () => {
      const download = byId('export-json', HTMLButtonElement);
      download.scrollIntoView({ block: 'center' });
      download.focus();
    });
    this.#show(
      'not-sent',
      h('p', { id: 'support-link-failure', class: 'fail' }, notSentText(why)),
      options.exported ? h('p', {}, EMAIL_INSTEAD) : null,
      options.exported || options.retry
        ? h(
            'p',
            { class: 'buttons' },
            options.retry ? onceButton('support-link-retry', 'Try again', options.retry) : null,
            options.exported ? toExport : null,
          )
        : null,
    );
  }
}
