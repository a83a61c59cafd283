import { isRestServer, type VisitorServer } from '../visitor-servers/model.js';
import type { VisitorField } from '../visitor-servers/validate.js';
import { h } from './dom.js';

/**
 * One row of the "Your own servers" form (`li.your-server`): the URL, how to authenticate (none, a username
 * and credential, or a TURN REST shared secret with its user), and a remove button. Only the fields of the
 * chosen authentication are shown. Inputs are named after the model's fields (`urls`, `username`,
 * `credential`, `secret`, `user`) so a test or a problem message can point at one.
 */

/** How a row authenticates: the `auth` select's values. */
type RowAuth = 'none' | 'static' | 'rest';

const AUTH_OPTIONS: readonly [RowAuth, string][] = [
  ['static', 'username and credential'],
  ['rest', 'shared secret (TURN REST)'],
  ['none', 'none (STUN)'],
];

/** The fields shown for each authentication. */
const SHOWN: Readonly<Record<RowAuth, readonly VisitorField[]>> = {
  none: [],
  static: ['username', 'credential'],
  rest: ['secret', 'user'],
};

const INPUTS: readonly {
  field: Exclude<VisitorField, 'urls'>;
  label: string;
  secret: boolean;
  hint: string;
}[] = [
  { field: 'username', label: 'Username', secret: false, hint: '' },
  { field: 'credential', label: 'Credential', secret: true, hint: '' },
  { field: 'secret', label: 'Shared secret', secret: true, hint: 'static-auth-secret' },
  { field: 'user', label: 'REST user', secret: false, hint: 'ice-doctor-page' },
];

/** A row of the form. */
export class ServerRow {
  readonly li: HTMLLIElement;
  readonly #inputs = new Map<VisitorField, HTMLInputElement>();
  readonly #auth: HTMLSelectElement;

  /** Builds a row filled from `entry` (empty when absent); `onRemove` is called by its remove button. */
  constructor(entry: VisitorServer | null, onRemove: (row: ServerRow) => void) {
    const url = h('input', {
      type: 'text',
      name: 'urls',
      placeholder: 'turn:turn.example.org:3478?transport=udp',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.#inputs.set('urls', url);
    this.#auth = h(
      'select',
      { name: 'auth' },
      ...AUTH_OPTIONS.map(([value, text]) => h('option', { value }, text)),
    );
    const fields = INPUTS.map(({ field, label, secret, hint }) => {
      const input = h('input', {
        type: secret ? 'password' : 'text',
        name: field,
        autocomplete: 'off',
        spellcheck: 'false',
        ...(hint && { placeholder: hint }),
      });
      this.#inputs.set(field, input);
      return h('label', { class: 'your-server-field', 'data-field': field }, `${label} `, input);
    });
    const remove = h('button', { type: 'button', class: 'remove' }, 'Remove');
    remove.addEventListener('click', () => onRemove(this));
    this.li = h(
      'li',
      { class: 'your-server' },
      h('label', { class: 'your-server-field url', 'data-field': 'urls' }, 'URL ', url),
      h('label', { class: 'your-server-field', 'data-field': 'auth' }, 'Authentication ', this.#auth),
      ...fields,
      remove,
    );
    this.#auth.addEventListener('change', () => this.#showFields());
    if (entry) this.#fill(entry);
    this.#showFields();
  }

  #fill(entry: VisitorServer): void {
    this.#set('urls', entry.urls);
    if (isRestServer(entry)) {
      this.#auth.value = 'rest';
      this.#set('secret', entry.secret);
      this.#set('user', entry.user ?? '');
    } else {
      this.#auth.value = entry.username || entry.credential ? 'static' : 'none';
      this.#set('username', entry.username ?? '');
      this.#set('credential', entry.credential ?? '');
    }
  }

  #set(field: VisitorField, value: string): void {
    const input = this.#inputs.get(field);
    if (input) input.value = value;
  }

  #get(field: VisitorField): string {
    return this.#inputs.get(field)?.value ?? '';
  }

  #showFields(): void {
    const shown = SHOWN[this.#auth.value as RowAuth] ?? [];
    for (const { field } of INPUTS) {
      const label = this.#inputs.get(field)?.parentElement;
      if (label) label.hidden = !shown.includes(field);
    }
  }

  /** The row as a model entry, or null when every field is empty (an unused row). */
  entry(): VisitorServer | null {
    const urls = this.#get('urls').trim();
    const auth = this.#auth.value as RowAuth;
    if (auth === 'rest') {
      const user = this.#get('user').trim();
      const secret = this.#get('secret');
      if (urls === '' && secret === '' && user === '') return null;
      return { urls, secret, ...(user && { user }) };
    }
    const username = auth === 'static' ? this.#get('username') : '';
    const credential = auth === 'static' ? this.#get('credential') : '';
    if (urls === '' && username === '' && credential === '') return null;
    return { urls, ...(username && { username }), ...(credential && { credential }) };
  }

  /** Marks the fields named in `fields` invalid (`aria-invalid`), and clears the others. */
  markInvalid(fields: ReadonlySet<VisitorField>): void {
    for (const [field, input] of this.#inputs) {
      if (fields.has(field)) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
}
