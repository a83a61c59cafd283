import { fromBase64Url, toBase64Url } from '../base64url.js';
import { type VisitorSettings, visitorSettingsSchema } from './model.js';

/**
 * Where the visitor's servers and policy are kept (model.ts `VisitorSettings`), never on ice-doctor's server:
 * `localStorage` (JSON under {@link STORAGE_KEY}) and the link fragment `#servers=` + base64url (RFC 4648 §5)
 * of the same JSON — a fragment is not sent in HTTP requests (RFC 3986 §3.5), so a bookmarked or sent link
 * carries the list to another browser without reaching the server. Both are validated with the model's zod
 * schema; what does not validate is ignored with a message, never thrown.
 */

/** The fragment prefix of a link that carries a server list. */
export const SERVERS_PREFIX = '#servers=';
/** The `localStorage` key of the saved list. */
export const STORAGE_KEY = 'ice-doctor.your-servers';
/** The longest `#servers=` fragment read, in characters (a list of 10 long entries fits easily). */
export const MAX_SERVERS_FRAGMENT_CHARS = 16_384;

/** What reading a place gave: nothing there, settings, or why what is there was ignored. */
export type ReadSettings =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: VisitorSettings }
  | { kind: 'ignored'; message: string };

/** Settings from JSON text, validated; `where` names the place in the message (`the link`, `this browser`). */
function fromJson(text: string, where: string): ReadSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'ignored', message: `The server list in ${where} is damaged (not JSON); it was ignored.` };
  }
  const parsed = visitorSettingsSchema.safeParse(value);
  if (parsed.success) return { kind: 'ok', settings: parsed.data };
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    kind: 'ignored',
    message: `The server list in ${where} is not one this page understands (${issue?.message ?? 'invalid'}${at}); it was ignored.`,
  };
}

/** The fragment that carries `settings`: `#servers=<base64url(UTF-8 JSON)>`. */
export function encodeServersFragment(settings: VisitorSettings): string {
  return SERVERS_PREFIX + toBase64Url(new TextEncoder().encode(JSON.stringify(settings)));
}

/**
 * Reads a `#servers=` fragment (`location.hash`, with or without the `#`). Any other fragment is `absent`;
 * a damaged, oversized or invalid one is `ignored` with a message. Never throws.
 */
export function decodeServersFragment(fragment: string): ReadSettings {
  const hash = fragment.startsWith('#') ? fragment : `#${fragment}`;
  if (!hash.startsWith(SERVERS_PREFIX)) return { kind: 'absent' };
  if (hash.length > MAX_SERVERS_FRAGMENT_CHARS)
    return {
      kind: 'ignored',
      message: `The link's server list is longer than ${MAX_SERVERS_FRAGMENT_CHARS} characters; it was ignored.`,
    };
  const bytes = fromBase64Url(hash.slice(SERVERS_PREFIX.length));
  let text: string | null = null;
  try {
    text = bytes ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : null;
  } catch {
    text = null;
  }
  if (text === null)
    return {
      kind: 'ignored',
      message: 'The server list in the link is damaged (not base64url UTF-8); it was ignored.',
    };
  return fromJson(text, 'the link');
}

/** Reads the saved settings from `storage` (`localStorage`). Never throws (a storage that refuses is `absent`). */
export function readStoredSettings(storage: Pick<Storage, 'getItem'>): ReadSettings {
  let text: string | null;
  try {
    text = storage.getItem(STORAGE_KEY);
  } catch {
    return { kind: 'absent' };
  }
  return text === null ? { kind: 'absent' } : fromJson(text, 'this browser’s storage');
}

/**
 * Saves `settings` in `storage` (an empty list with policy `all` removes the key).
 * @returns null when saved, else why not (storage full or disabled), in one sentence.
 */
export function storeSettings(
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  settings: VisitorSettings,
): string | null {
  try {
    if (settings.servers.length === 0 && settings.policy === 'all') storage.removeItem(STORAGE_KEY);
    else storage.setItem(STORAGE_KEY, JSON.stringify(settings));
    return null;
  } catch (err) {
    return `This browser did not save the list (${err instanceof Error ? err.message : String(err)}).`;
  }
}
