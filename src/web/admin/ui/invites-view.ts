import { byId, h } from '../../page/ui/dom.js';
import type { InviteCreateBody, InviteList, InviteView } from '../admin-api.js';
import { ApiFailure, api } from './api.js';
import { inviteStatusText, timeText } from './format.js';
import { showError } from './status.js';

/** How long a Revoke button waits for its confirming second click, in ms. */
const CONFIRM_MS = 5000;

/** Copies `text` to the clipboard; where that is refused (not a secure context), selects it in `input`. */
async function copy(text: string, input: HTMLInputElement | null, note: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = 'Copied.';
  } catch {
    input?.select();
    note.textContent = 'Copying was refused here: the link is selected, copy it with Ctrl+C.';
  }
}

/** A Revoke button: the first click asks to confirm, a second within 5 s revokes. */
function revokeButton(invite: InviteView): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'revoke' }, 'Revoke');
  let armed = false;
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = 'Click again to revoke';
      setTimeout(() => {
        armed = false;
        button.textContent = 'Revoke';
      }, CONFIRM_MS);
      return;
    }
    api<undefined>(`invites/${encodeURIComponent(invite.id)}/revoke`, 'POST')
      .then(() => loadInvites())
      .catch((err: unknown) => showError('invite-error', String(err instanceof Error ? err.message : err)));
  });
  return button;
}

function row(invite: InviteView): HTMLTableRowElement {
  const note = h('span', { role: 'status' });
  const copyButton = h('button', { type: 'button' }, 'Copy link');
  copyButton.addEventListener('click', () => void copy(invite.url, null, note));
  return h(
    'tr',
    { 'data-id': invite.id, 'data-status': invite.status },
    h('td', {}, invite.label),
    h('td', {}, timeText(invite.createdAtMs)),
    h('td', {}, timeText(invite.expiresAtMs)),
    h('td', {}, `${invite.runsUsed} of ${invite.maxRuns}`),
    h('td', {}, invite.collectIps ? 'collected' : 'removed'),
    h('td', {}, inviteStatusText(invite.status)),
    h('td', {}, copyButton, ' ', note),
    h('td', {}, invite.status === 'open' ? revokeButton(invite) : null),
  );
}

/** Loads the invites (newest first) into `#invite-list`. */
export async function loadInvites(): Promise<void> {
  try {
    const { invites } = await api<InviteList>('invites');
    byId('invite-list', HTMLTableElement).tBodies[0]!.replaceChildren(
      ...(invites.length === 0
        ? [h('tr', {}, h('td', { colspan: '8', class: 'empty' }, 'No invites yet.'))]
        : invites.map(row)),
    );
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 401))
      showError('invite-error', String(err instanceof Error ? err.message : err));
  }
}

/** The create form's fields as the API's body. */
function formBody(form: HTMLFormElement): InviteCreateBody {
  const data = new FormData(form);
  const webhook = String(data.get('webhookUrl') ?? '').trim();
  return {
    label: String(data.get('label') ?? '').trim(),
    expiresInMs: Number(data.get('expires')),
    maxRuns: Number(data.get('maxRuns')),
    collectIps: data.get('collectIps') !== null,
    webhookUrl: webhook === '' ? null : webhook,
  };
}

/**
 * Wires the create form and the copy button, once: a submit POSTs `/admin/api/invites`, then shows the new
 * link with a Copy button and reloads the list; a refusal is shown in `#invite-error` as the server words it.
 */
export function wireInvites(): void {
  const form = byId('invite-form', HTMLFormElement);
  const urlInput = byId('invite-url', HTMLInputElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showError('invite-error', null);
    api<{ invite: InviteView }>('invites', 'POST', formBody(form))
      .then(({ invite }) => {
        urlInput.value = invite.url;
        byId('invite-copied', HTMLElement).textContent = '';
        byId('invite-created', HTMLElement).hidden = false;
        return loadInvites();
      })
      .catch((err: unknown) => showError('invite-error', String(err instanceof Error ? err.message : err)));
  });
  byId('invite-copy', HTMLButtonElement).addEventListener(
    'click',
    () => void copy(urlInput.value, urlInput, byId('invite-copied', HTMLElement)),
  );
}
