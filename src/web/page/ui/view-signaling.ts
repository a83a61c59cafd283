import type { SignalingCheck } from '../../../report/browser-schema.js';
import { h, replaceChildren } from './dom.js';
import { formatMs } from './timing.js';

/**
 * The `#signaling` section: can this browser open the report server's signaling WebSocket over ws:// and
 * wss:// (ui/signaling-check.ts), and how long the upgrade took. `data-ok` on each row.
 */

/** Shows `checks` in `container`, replacing what was there. */
export function renderSignaling(container: HTMLElement, checks: readonly SignalingCheck[]): void {
  if (checks.length === 0) {
    replaceChildren(container, h('p', {}, 'The server has no signaling listener: nothing to check.'));
    return;
  }
  replaceChildren(
    container,
    h(
      'ul',
      { class: 'signaling' },
      ...checks.map((c) =>
        h(
          'li',
          { 'data-scheme': c.scheme, 'data-ok': String(c.ok) },
          h('span', { class: c.ok ? 'ok' : 'fail' }, c.ok ? '✓' : '✗'),
          ' ',
          h('span', { class: 'url' }, c.url),
          c.ok ? `: open in ${c.upgradeMs === null ? '?' : formatMs(c.upgradeMs)}` : ': failed',
          c.error ? h('span', { class: 'explanation' }, c.error) : null,
        ),
      ),
    ),
  );
}
