import { isIP } from 'node:net';
import { SettingsError } from '../../errors.js';
import { STUN_DEFAULT_PORT } from '../../shared/ice-url.js';
import { type Family, type TransportAddress, transportAddress } from '../../wire/address.js';
import { AlternateServer } from '../../wire/attributes/addresses.js';
import { refuse, type TurnOutcome } from './method.js';

/**
 * When the server answers Allocate with 300 Try Alternate (RFC 8489 §10, RFC 8656 §7.2): `always` (every
 * UDP/TCP Allocate, coturn's `alternate-server` load balancing) or `full` (only an Allocate this server
 * would refuse for capacity: 486 for the total quota, 508 for no free relay port).
 */
export type AlternateWhen = 'always' | 'full';

/** The accepted values of {@link AlternateWhen}, for flag errors and help. */
export const ALTERNATE_WHEN: readonly AlternateWhen[] = ['always', 'full'];

/** Where and when Allocates are redirected; resolved settings. */
export interface AlternateSettings {
  servers: TransportAddress[];
  when: AlternateWhen;
}

/**
 * Parses one alternate server: `IP`, `IP:PORT` or `[IPv6]:PORT` (port default 3478), as coturn's
 * `alternate-server` takes it. ALTERNATE-SERVER carries an address, so a name is not accepted.
 * @throws SettingsError naming `alternateServers` with the text and an example.
 */
export function parseAlternateServer(text: string): TransportAddress {
  const t = text.trim();
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(t);
  const ip = m?.[1] ?? (isIP(t) === 6 ? t : '');
  const port = m?.[2] === undefined ? STUN_DEFAULT_PORT : Number(m[2]);
  if (isIP(ip) === 0 || port < 1 || port > 65535)
    throw new SettingsError(
      'alternateServers',
      `'${text}' is not IP[:PORT] (e.g. 203.0.113.7:3478 or [2001:db8::7]:3478; port default 3478)`,
    );
  return transportAddress(ip, port);
}

/**
 * Resolves the alternate-server settings (empty `servers`: never redirect).
 * @throws SettingsError for an address that is not IP[:PORT] (`alternateServers`) or an unknown `when`
 *   (`alternateWhen`).
 */
export function alternateSettings(
  servers: readonly string[] = [],
  when: string = 'always',
): AlternateSettings {
  if (!ALTERNATE_WHEN.includes(when as AlternateWhen))
    throw new SettingsError('alternateWhen', `'${when}' is not one of ${ALTERNATE_WHEN.join(', ')}`);
  return { servers: servers.map(parseAlternateServer), when: when as AlternateWhen };
}

/**
 * Hands out the alternates round-robin (coturn: each gets an equal share of Allocates; list one twice to
 * weigh it), only those of the client's address family, as coturn does.
 */
export class AlternatePicker {
  private next = 0;

  constructor(readonly settings: AlternateSettings) {}

  /** The next alternate of `family`, or null when none has it. */
  pick(family: Family): TransportAddress | null {
    const list = this.settings.servers;
    for (let i = 0; i < list.length; i++) {
      const a = list[this.next++ % list.length]!;
      if (a.family === family) return a;
    }
    return null;
  }

  /**
   * The 300 Try Alternate answer with ALTERNATE-SERVER (RFC 8489 §14.15) for a client of `family` over
   * `transport`, if `reason` calls for one under the configured `when`: `always`, or `capacity` (the
   * server is full) under either. TLS Allocates are never redirected (an alternate's TLS port is another
   * list, coturn's tls-alternate-server). Null: answer as usual.
   */
  redirect(
    family: Family,
    transport: 'udp' | 'tcp' | 'tls',
    reason: 'always' | 'capacity',
  ): TurnOutcome | null {
    if (transport === 'tls' || (reason === 'always' && this.settings.when !== 'always')) return null;
    const to = this.pick(family);
    return to ? refuse(300, [AlternateServer.encode(to)]) : null;
  }
}
