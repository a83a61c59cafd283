import { byId } from '../../page/ui/dom.js';
import { ApiFailure, api } from './api.js';
import { setStatus, setView, showError } from './status.js';

/**
 * Wires the sign-in form once: a submit POSTs `{username, password}` to `/admin/api/login` (never a form
 * submission: the CSP has `form-action 'none'`), then calls `onSignedIn`; a refusal (wrong password, rate
 * limit, network) is shown in `#sign-in-error` as text and the password field is cleared.
 */
export function wireSignIn(onSignedIn: () => void): void {
  const form = byId('sign-in-form', HTMLFormElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = byId('username', HTMLInputElement).value;
    const password = byId('password', HTMLInputElement);
    showError('sign-in-error', null);
    api<undefined>('login', 'POST', { username, password: password.value })
      .then(() => {
        password.value = '';
        onSignedIn();
      })
      .catch((err: unknown) => {
        password.value = '';
        showError('sign-in-error', err instanceof ApiFailure ? err.message : String(err));
      });
  });
}

/** Shows the sign-in form (no session, or it ended). */
export function showSignIn(): void {
  setView('signin');
  setStatus('Sign in to see the collected reports.');
  byId('username', HTMLInputElement).focus();
}
