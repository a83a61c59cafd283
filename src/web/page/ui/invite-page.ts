import type { InviteStatus } from '../../invite-api-schema.js';
import { toBase64Url } from '../base64url.js';
import { reportBody, tooLarge } from '../invite-answers.js';
import type { InvitePath } from '../invite-path.js';
import {
  consentNotice,
  type DateFormat,
  inviteDateFormat,
  MALFORMED_LINK,
  RUN_FAILED,
  refusalText,
} from '../invite-words.js';
import { byId } from './dom.js';
import { checkInvite, sendInviteReport } from './invite-api.js';
import { InviteView } from './invite-view.js';
import { runLivePage } from './live-page.js';
import { setPhase } from './phase.js';

/**
 * The page opened from a support link (`/i/<token>`, issue 17): it asks the server about the link first
 * (`GET /api/invites/:token`, started by early-requests.ts) and runs nothing else — no ICE gathering, no
 * other API request — until the visitor has read the notice (what will be sent, to whom) and pressed Start;
 * a refused link shows why and nothing runs. After Start the page runs exactly as without a link
 * (live-page.ts); when the run is over, the report — the export panel's, credentials removed, IP addresses
 * removed when the link does not collect them — is POSTed once. Sending, sent (with the reference) and not
 * sent (why, the download instead, a retry when it can help) are shown in `#support-link` (invite-view.ts).
 */

/** The parts of the page a support link needs. */
interface InviteRun {
  readonly view: InviteView;
  readonly token: string;
  /** `location.hostname`: the server the report goes to, named in every text. */
  readonly host: string;
  readonly date: DateFormat;
  readonly loc: Location;
  /** `#status`, the page's one-line state at the top. */
  readonly status: HTMLElement;
}

/** A fresh idempotency key for one upload: 16 random bytes, base64url (22 characters). */
function newIdempotencyKey(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** Sends `body` and shows the outcome; a retry sends the same body again with the same `key`. */
async function send(run: InviteRun, body: string, key = newIdempotencyKey()): Promise<void> {
  run.view.sending(run.host);
  const outcome = await sendInviteReport(run.token, body, run.host, key);
  if (outcome.kind === 'sent') run.view.sent(run.host, outcome.id);
  else
    run.view.notSent(outcome.why, {
      exported: true,
      retry: outcome.retry ? () => void send(run, body, key) : null,
    });
}

/** Runs the checks (live-page.ts), then sends the report as `status` asks (redacted unless it collects IPs). */
async function start(run: InviteRun, status: InviteStatus): Promise<void> {
  run.view.running();
  const source = await runLivePage(run.loc).catch(() => null);
  if (!source) {
    run.view.notSent(RUN_FAILED, { exported: false, retry: null });
    return;
  }
  let body: string | null;
  try {
    body = reportBody(source(!status.collectsIps));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    run.view.notSent(`the report could not be put together (${why})`, { exported: true, retry: null });
    return;
  }
  if (body === null) run.view.notSent(tooLarge(), { exported: true, retry: null });
  else await send(run, body);
}

/** Asks the server about the link and shows the notice, the refusal or the error (with "Check again"). */
async function check(run: InviteRun): Promise<void> {
  run.view.checking();
  run.status.textContent = 'Checking this support link…';
  const outcome = await checkInvite(run.token, run.host);
  switch (outcome.kind) {
    case 'open':
      run.status.textContent = 'Nothing has run yet: read what will be sent, then press Start.';
      run.view.notice(
        consentNotice(outcome.status, run.host, run.date),
        () => void start(run, outcome.status),
      );
      return;
    case 'refused':
      run.status.textContent = 'This support link cannot be used.';
      run.view.refused(refusalText(outcome.refusal, run.date));
      setPhase('refused');
      return;
    case 'error':
      run.status.textContent = 'This support link could not be checked.';
      run.view.error(outcome.why, () => void check(run));
  }
}

/**
 * The page on a support link (`invite`: invite-path.ts, not `none`); see the module comment. A malformed link
 * is refused without asking the server. Never rejects.
 */
export async function runInvitePage(
  loc: Location,
  invite: Exclude<InvitePath, { kind: 'none' }>,
): Promise<void> {
  setPhase('invite');
  const view = new InviteView(byId('support-link', HTMLElement));
  const status = byId('status', HTMLElement);
  if (invite.kind === 'malformed') {
    status.textContent = 'This support link cannot be used.';
    view.refused(MALFORMED_LINK);
    setPhase('refused');
    return;
  }
  await check({ view, token: invite.token, host: loc.hostname, date: inviteDateFormat(), loc, status });
}
