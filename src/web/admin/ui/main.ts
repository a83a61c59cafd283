import '../../page/ui/zod-jitless.js';
import type { SessionInfo } from '../admin-api.js';
import { ApiFailure, api, onSignedOut, setCsrfToken } from './api.js';
import { showDashboard, wireDashboard } from './dashboard.js';
import { showSignIn, wireSignIn } from './sign-in.js';
import { setStatus } from './status.js';

/**
 * The dashboard's entry point (bundled by scripts/build-page.mjs into admin/admin.js): asks
 * `/admin/api/session`; signed in → the dashboard, else (401, here or on any later request) the sign-in form.
 * The first import turns zod's JIT off (the CSP has no `'unsafe-eval'`), before the report schema is built.
 */

async function begin(): Promise<void> {
  try {
    const session = await api<SessionInfo>('session');
    setCsrfToken(session.csrfToken);
    showDashboard(session);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 401)) setStatus(`The dashboard failed: ${String(err)}`);
  }
}

onSignedOut(() => {
  setCsrfToken(null);
  showSignIn();
});
wireSignIn(() => void begin());
wireDashboard();
void begin();
