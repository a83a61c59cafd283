import type { IceTransportPolicy, SelectedPair } from '../../../report/browser-schema.js';
import type { IceConfig } from '../../api-schema.js';
import { shareablePath } from '../invite-path.js';
import {
  decodeServersFragment,
  encodeServersFragment,
  readStoredSettings,
  SERVERS_PREFIX,
  storeSettings,
} from '../visitor-servers/codec.js';
import { MAX_VISITOR_SERVERS, NO_VISITOR_SETTINGS, type VisitorSettings } from '../visitor-servers/model.js';
import { visitorTargets, withVisitorTargets } from '../visitor-servers/targets.js';
import { checkVisitorServers, type VisitorField } from '../visitor-servers/validate.js';
import { h, replaceChildren } from './dom.js';
import { planRun, type RunPlan } from './plan.js';
import { ServerRow } from './your-servers-row.js';

/**
 * The "Your own STUN/TURN servers" section (`#your-servers`): the visitor's list (rows of your-servers-row.ts)
 * and the ICE transport policy of the page's own call, read from the `#servers=` fragment, else from
 * localStorage (visitor-servers/codec.ts); "Run" saves both places and reloads the page, which then tests the
 * list beside the operator's servers. The list never leaves the page: no request carries it. Automation:
 * `#your-servers-call[data-policy][data-local-type][data-remote-type]` once the page's call has a result.
 */

/** The settings the page starts with, and why something was ignored. */
function loadSettings(
  loc: Location,
  storage: Storage | null,
): { settings: VisitorSettings; notes: string[] } {
  const notes: string[] = [];
  const linked = decodeServersFragment(loc.hash);
  if (linked.kind === 'ok') {
    if (storage) {
      const why = storeSettings(storage, linked.settings);
      if (why) notes.push(why);
    }
    return { settings: linked.settings, notes };
  }
  if (linked.kind === 'ignored') notes.push(linked.message);
  const stored = storage ? readStoredSettings(storage) : { kind: 'absent' as const };
  if (stored.kind === 'ok') return { settings: stored.settings, notes };
  if (stored.kind === 'ignored') notes.push(stored.message);
  return { settings: NO_VISITOR_SETTINGS, notes };
}

/** `window.localStorage`, or null when the browser refuses it (storage disabled). */
function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Says under the selected pair's intro (`#selected-pair`, which describes the policy-`all` call) that this
 * run's call allowed relay candidates only, by the visitor's choice.
 */
function notePolicy(): void {
  const intro = document.querySelector('#selected-pair .intro');
  intro?.after(
    h(
      'p',
      { class: 'intro', id: 'pair-policy-note' },
      'This run uses your ICE transport policy "relay": the call below allowed relay candidates only, so its pair says how a relayed call goes, not whether a direct one would work.',
    ),
  );
}

/** What the live page asks of the section. */
export interface YourServers {
  /**
   * The run's plan: `ice` with the visitor's servers added (their REST credentials minted now), the visitor's
   * policy for the page's call, their secrets in `plan.secrets`. Problems (a credential that could not be
   * minted) are shown in the section. Never rejects.
   * @param httpsPage the page over HTTPS, named when minting needs a secure page; null when there is none.
   */
  plan(ice: IceConfig, httpsPage: string | null): Promise<{ plan: RunPlan; ice: IceConfig }>;
  /** Shows the page's own call's result under the form. */
  callResult(pair: SelectedPair | null, error: string | null): void;
}

/** Mounts the section into `section` (see the module comment). */
export function mountYourServers(section: HTMLElement, loc: Location): YourServers {
  const storage = localStore();
  const { settings, notes } = loadSettings(loc, storage);
  const list = h('ol', { id: 'your-servers-list' });
  const rows: ServerRow[] = [];
  const problems = h('ul', { id: 'your-servers-problems', role: 'alert' });
  const addRow = (entry: VisitorSettings['servers'][number] | null): void => {
    if (rows.length >= MAX_VISITOR_SERVERS) return;
    const row = new ServerRow(entry, (r) => {
      rows.splice(rows.indexOf(r), 1);
      r.li.remove();
    });
    rows.push(row);
    list.append(row.li);
  };
  for (const s of settings.servers) addRow(s);
  if (settings.servers.length === 0) addRow(null);
  const add = h('button', { type: 'button', id: 'your-servers-add' }, 'Add a server');
  add.addEventListener('click', () => addRow(null));
  const policy = (value: IceTransportPolicy, text: string): HTMLLabelElement => {
    const input = h('input', { type: 'radio', name: 'policy', value });
    input.checked = settings.policy === value;
    return h('label', {}, input, ` ${text}`);
  };
  const form = h(
    'form',
    { id: 'your-servers-form', novalidate: '' },
    list,
    h('p', {}, add),
    h(
      'fieldset',
      { id: 'your-servers-policy' },
      h('legend', {}, 'ICE transport policy of the page’s own call'),
      policy('all', 'all (every candidate type: direct when possible)'),
      policy('relay', 'relay (TURN only, as iceTransportPolicy: "relay")'),
    ),
    h('p', {}, h('button', { type: 'submit', id: 'your-servers-run' }, 'Run the checks with these servers')),
    problems,
  );
  const linkText =
    settings.servers.length > 0 || settings.policy === 'relay' ? encodeServersFragment(settings) : '';
  const link = h('input', {
    type: 'text',
    id: 'your-servers-link',
    readonly: '',
    'aria-label': 'Link to this page with your servers',
    value: `${loc.origin}${shareablePath(loc.pathname)}${linkText}`,
  });
  const call = h('p', { id: 'your-servers-call', role: 'status' });
  replaceChildren(
    section,
    section.querySelector('h2'),
    h(
      'p',
      { class: 'intro' },
      'Test your own servers too, each in its own connection and proved like the ones above. Usernames, credentials and shared secrets stay in this browser (saved here and in the link below); they are never sent to the ice-doctor server and are removed from the export.',
    ),
    h('ul', { id: 'your-servers-notes' }, ...notes.map((n) => h('li', {}, n))),
    form,
    linkText
      ? h(
          'p',
          { class: 'your-servers-link' },
          h(
            'label',
            { for: 'your-servers-link' },
            'Link with this list (it carries the credentials and secrets; the server never sees it):',
          ),
          link,
        )
      : null,
    call,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const entries = rows.flatMap((r) => r.entry() ?? []);
    const chosen = form.querySelector<HTMLInputElement>('input[name=policy]:checked')?.value;
    const next: VisitorSettings = { servers: entries, policy: chosen === 'relay' ? 'relay' : 'all' };
    const used = rows.filter((r) => r.entry() !== null);
    const check = checkVisitorServers(entries);
    used.forEach((row, i) => {
      row.markInvalid(
        new Set<VisitorField>(check.problems.filter((p) => p.server === i + 1).map((p) => p.field)),
      );
    });
    replaceChildren(problems, ...check.problems.map((p) => h('li', { class: 'fail' }, p.message)));
    if (check.problems.length > 0) return;
    if (storage) storeSettings(storage, next);
    const empty = next.servers.length === 0 && next.policy === 'all';
    history.replaceState(null, '', empty ? loc.pathname + loc.search : encodeServersFragment(next));
    location.reload();
  });

  return {
    async plan(ice, httpsPage) {
      const check = checkVisitorServers(settings.servers);
      const minted = await visitorTargets(check.servers);
      const secure =
        httpsPage && minted.problems.length > 0 ? ` Open this page over HTTPS: ${httpsPage}` : '';
      replaceChildren(
        problems,
        ...[...check.problems.map((p) => p.message), ...minted.problems].map((m) =>
          h('li', { class: 'fail' }, `${m} (not tested).${secure}`),
        ),
      );
      if (settings.policy === 'relay') notePolicy();
      const tested = withVisitorTargets(ice, minted.targets);
      const plan = planRun(tested, { callPolicy: settings.policy, extraSecrets: minted.secrets });
      return { plan, ice: tested };
    },
    callResult(pair, error) {
      call.dataset.policy = settings.policy;
      if (!pair) {
        call.dataset.localType = 'none';
        call.dataset.remoteType = 'none';
        call.textContent = `The page’s own call (policy ${settings.policy}) selected no pair: ${error ?? 'no reason given'}.`;
        return;
      }
      call.dataset.localType = pair.localType;
      call.dataset.remoteType = pair.remoteType;
      const via = pair.relayProtocol
        ? ` (relayed over ${pair.relayProtocol.toUpperCase()}${pair.url ? ` via ${pair.url}` : ''})`
        : '';
      call.textContent = `The page’s own call (policy ${settings.policy}) selected ${pair.localType} ↔ ${pair.remoteType} over ${pair.protocol.toUpperCase()}${via}.`;
    },
  };
}

/** True when `hash` is a `#servers=` link (main.ts reloads the page when one is pasted into the address bar). */
export function isServersFragment(hash: string): boolean {
  return hash.startsWith(SERVERS_PREFIX);
}
