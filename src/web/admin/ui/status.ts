import { byId } from '../../page/ui/dom.js';

/** The dashboard's two screens: the sign-in form, or the dashboard itself (`body[data-view]`). */
export type View = 'signin' | 'dashboard';

/** Shows one screen and hides the other; `body[data-view]` says which (for tests and styles). */
export function setView(view: View): void {
  byId('sign-in', HTMLElement).hidden = view !== 'signin';
  byId('dashboard', HTMLElement).hidden = view !== 'dashboard';
  byId('who', HTMLElement).hidden = view !== 'dashboard';
  document.body.dataset.view = view;
}

/** The one-line status under the title (`#status`, a polite live region), as text. */
export function setStatus(text: string): void {
  byId('status', HTMLElement).textContent = text;
}

/** Shows `text` in the alert element `id` (as text), or hides it when `text` is null. */
export function showError(id: string, text: string | null): void {
  const el = byId(id, HTMLElement);
  el.textContent = text ?? '';
  el.hidden = text === null;
}
