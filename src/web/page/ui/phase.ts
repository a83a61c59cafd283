/**
 * `document.body.dataset.phase`, the page's state for people and automation: `loading` (fetching the
 * configuration), `running` (checks under way), `verdict` (the verdict is shown; throughput still runs),
 * `done` (everything finished, connections closed), `failed` (the configuration could not be loaded: no
 * checks ran), `shared` (a shared report is shown read-only), `shared-error` (a share link that cannot be read);
 * on a support link (ui/invite-page.ts) first `invite` (checking the link, then waiting for the visitor's
 * Start: nothing runs yet) or `refused` (the link takes no report: nothing runs), then `loading` … `done`.
 */

/** The values of `data-phase`. */
export type PagePhase =
  | 'loading'
  | 'running'
  | 'verdict'
  | 'done'
  | 'failed'
  | 'shared'
  | 'shared-error'
  | 'invite'
  | 'refused';

/** Sets `body[data-phase]`. */
export function setPhase(phase: PagePhase): void {
  document.body.dataset.phase = phase;
}
