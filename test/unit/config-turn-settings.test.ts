/**
 * The TURN server's own settings resolution (src/server/turn/settings.ts), as the API uses it: the defaults,
 * the generated user, the loopback-peer default decided from the listening addresses, SettingsError naming
 * the API field (never a flag), and the CLI's parser saying the same refusal under the flag.
 */
import { describe, expect, it } from 'vitest';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { ConfigError, SettingsError } from '../../src/errors.js';
import { RFC_LIFETIMES } from '../../src/server/turn/config.js';
import {
  DEFAULT_REALM,
  GENERATED_USER,
  LOOPBACK_PEERS,
  resolveTurnSettings,
  type TurnSettingsInput,
} from '../../src/server/turn/settings.js';
import { STUNS_DEFAULT_PORT } from '../../src/shared/ice-url.js';

const LOOPBACK = ['127.0.0.1', '127.0.0.2'];

function refusal(input: TurnSettingsInput): SettingsError {
  try {
    resolveTurnSettings(input, LOOPBACK, true);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    expect(err).not.toBeInstanceOf(ConfigError);
    expect((err as SettingsError).exitCode).toBe(2);
    return err as SettingsError;
  }
  throw new Error('accepted');
}

describe('resolveTurnSettings', () => {
  it('fills every default; no users and no secrets: a generated user with a random password', () => {
    const a = resolveTurnSettings({}, LOOPBACK, false);
    const b = resolveTurnSettings({}, LOOPBACK, false);
    expect(a).toMatchObject({
      resolved: true,
      realm: DEFAULT_REALM,
      tlsPort: STUNS_DEFAULT_PORT,
      lifetimes: RFC_LIFETIMES,
      relayPorts: { min: 49152, max: 65535 },
      bandwidthBytesPerS: null,
      metricsPort: null,
      warnings: [],
    });
    expect(a.generatedUser?.username).toBe(GENERATED_USER);
    expect(a.users.get(GENERATED_USER)).toBe(a.generatedUser!.password);
    expect(a.generatedUser!.password).not.toBe(b.generatedUser!.password);
    expect(resolveTurnSettings({}, LOOPBACK, true).tlsPort).toBe(0);
  });

  it('a user or a secret: no generated user', () => {
    expect(resolveTurnSettings({ users: { alice: 'pw' } }, LOOPBACK, true).generatedUser).toBeNull();
    expect(resolveTurnSettings({ authSecrets: ['x'.repeat(32)] }, LOOPBACK, true).generatedUser).toBeNull();
  });

  it.each([
    [['127.0.0.1', '127.0.0.2'], true],
    [['::1'], true],
    [['203.0.113.10'], false],
    [['127.0.0.1', '203.0.113.10'], false],
  ])('listening on %j: loopback peers allowed by default %s', (listen, loopback) => {
    const s = resolveTurnSettings({ users: { a: 'b' } }, listen, true);
    expect(s.allowPeersDefaulted).toBe(loopback);
    expect(s.allowPeers).toEqual(loopback ? LOOPBACK_PEERS : []);
  });

  it('a given allow-list replaces the loopback default', () => {
    const s = resolveTurnSettings({ allowPeers: ['10.0.0.0/8'] }, LOOPBACK, true);
    expect(s).toMatchObject({ allowPeers: ['10.0.0.0/8'], allowPeersDefaulted: false });
  });

  it('returns resolved settings as they are (the generated user and the peer default kept)', () => {
    const s = resolveTurnSettings({}, LOOPBACK, true);
    expect(resolveTurnSettings(s, ['203.0.113.10'], false)).toBe(s);
  });

  it.each([
    [{ realm: '' }, 'realm', 'must be 1–763 bytes (RFC 8489 §14.9), got 0'],
    [
      { authSecrets: [' '] },
      'authSecrets',
      'a secret is empty or only whitespace: anyone could mint credentials',
    ],
    [{ users: { alice: '' } }, 'users', "the password of 'alice' is empty or only whitespace"],
    [{ externalIps: ['nope'] }, 'externalIps', "'nope' is not an IP address"],
    [{ externalIps: ['192.0.2.1', '192.0.2.2'] }, 'externalIps', 'at most one IPv4 and one IPv6 address'],
    [{ relayPorts: { min: 80, max: 90 } }, 'relayPorts', '80-90 is not a range within 1024–65535'],
    [{ allowPeers: ['10.0.0.0/33'] }, 'allowPeers', "'10.0.0.0/33' is not a CIDR"],
    [{ denyPeers: ['banana'] }, 'denyPeers', "'banana' is not a CIDR"],
    [{ tlsCertFile: '/x.pem' }, 'tlsCertFile', 'needs tlsKeyFile, and tlsKeyFile needs tlsCertFile'],
    [
      { lifetimes: { allocationDefaultS: 700, allocationMaxS: 600 } },
      'lifetimes.allocationMaxS',
      'must be at least lifetimes.allocationDefaultS',
    ],
    [{ userQuota: 0 }, 'userQuota', "must be a whole number (1–999999999), got '0'"],
    [{ allocateTimeoutS: 3601 }, 'allocateTimeoutS', "must be a whole number (1–3600), got '3601'"],
    [{ tlsPort: 70000 }, 'tlsPort', "must be a port number (0–65535), got '70000'"],
    [{ bandwidthBytesPerS: 10 }, 'bandwidthBytesPerS', "must be a whole number (1000–999999999), got '10'"],
  ] as [TurnSettingsInput, string, string][])('refuses %j naming the field %s', (input, field, detail) => {
    const err = refusal(input);
    expect(err.field).toBe(field);
    expect(err.detail).toBe(detail);
    expect(err.message).toBe(`${field}: ${detail}`);
  });

  it('the CLI says the same refusal under the flag', () => {
    expect(() => parseTurnFlags({ allowPeer: ['10.0.0.0/33'] }, LOOPBACK, true, {})).toThrow(
      new ConfigError("--allow-peer: '10.0.0.0/33' is not a CIDR"),
    );
    expect(() =>
      parseTurnFlags({ user: ['a:b'], externalIp: '192.0.2.1,192.0.2.2' }, LOOPBACK, true, {}),
    ).toThrow(new ConfigError('--external-ip: at most one IPv4 and one IPv6 address'));
    expect(() => parseTurnFlags({ user: ['a:b'] }, LOOPBACK, true, { ICE_DOCTOR_REALM: '' })).toThrow(
      new ConfigError('ICE_DOCTOR_REALM: must be 1–763 bytes (RFC 8489 §14.9), got 0'),
    );
  });
});
