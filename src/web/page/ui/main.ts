import './early-requests.js';
import './zod-jitless.js';
import { invitePath } from '../invite-path.js';
import { SHARE_PREFIX } from '../share-prefix.js';
import { runInvitePage } from './invite-page.js';
import { runLivePage } from './live-page.js';
import { showSharedPage } from './shared-page.js';
import { isServersFragment } from './your-servers.js';

/**
 * The report page's entry point (bundled by scripts/build-page.mjs into app.js): a URL whose fragment is a
 * share link (`#report=`) shows that report read-only (shared-page.ts); a support link (`/i/<token>`,
 * invite-path.ts) asks for the visitor's Start before it runs and then sends the report (invite-page.ts); any
 * other URL runs the checks (live-page.ts). When the fragment switches between the first and the others, the
 * page reloads into the other mode; a `#servers=` link (the visitor's own servers, ui/your-servers.ts) pasted
 * into the address bar reloads too. The first import starts the page's first API requests
 * (early-requests.ts), the second turns zod's JIT off (zod-jitless.ts), before any module builds a schema.
 */

const shared = (): boolean => location.hash.startsWith(SHARE_PREFIX);
const startedShared = shared();

window.addEventListener('hashchange', () => {
  if (shared() !== startedShared || startedShared || isServersFragment(location.hash)) location.reload();
});

const invite = invitePath(location.pathname);
if (startedShared) void showSharedPage(location);
else if (invite.kind === 'none') void runLivePage(location);
else void runInvitePage(location, invite);
