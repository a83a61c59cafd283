import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/config/duration.js';
import {
  DEFAULT_RETENTION_MS,
  parseSupportFlags,
  storeLocation,
} from '../../src/cli/config/support-flags.js';
import { ConfigError, UserError } from '../../src/errors.js';
import { checkBaseUrl, checkWebhookUrl } from '../../src/support-links/create-invite.js';

describe('parseDuration', () => {
  it('reads s, m, h and d into ms', () => {
    expect(parseDuration('90s', '--expires')).toBe(90_000);
    expect(parseDuration('30m', '--expires')).toBe(1_800_000);
    expect(parseDuration('12h', '--expires')).toBe(43_200_000);
    expect(parseDuration('7d', '--retention')).toBe(604_800_000);
    expect(parseDuration('0d', '--retention')).toBe(0);
  });

  it('names the flag and the accepted form', () => {
    for (const bad of ['7', 'd', '7w', '-1d', '1.5h', '', '7 days']) {
      const err = (() => {
        try {
          parseDuration(bad, '--expires');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(
        `--expires: use a number and a unit s, m, h or d (e.g. 7d), got '${bad}'`,
      );
    }
  });
});

describe('invite URLs', () => {
  it('takes http(s) webhook URLs and refuses others, naming the field', () => {
    expect(checkWebhookUrl('https://hooks.example.org/ice?x=1')).toBe('https://hooks.example.org/ice?x=1');
    expect(() => checkWebhookUrl('ftp://x/')).toThrow(/^webhookUrl: 'ftp:\/\/x\/' must be an http/);
    expect(() => checkWebhookUrl('nope', '--webhook-url')).toThrow(/^--webhook-url: 'nope' is not a URL/);
    expect(() => checkWebhookUrl('https://u:p@x/')).toThrow(UserError);
  });

  it('normalizes the base URL without a trailing slash', () => {
    expect(checkBaseUrl('https://127.0.0.1:8443/')).toBe('https://127.0.0.1:8443');
    expect(checkBaseUrl('https://support.example.org/doctor/')).toBe('https://support.example.org/doctor');
    expect(() => checkBaseUrl('https://x/?a=1', '--base-url')).toThrow(/^--base-url: /);
  });
});

describe('serve support flags', () => {
  it('is off without a store; flags beat ICE_DOCTOR_DATA_DIR / ICE_DOCTOR_DATABASE_URL', () => {
    expect(parseSupportFlags({}, true, {})).toBeNull();
    expect(storeLocation({}, { ICE_DOCTOR_DATA_DIR: '/srv/d' })).toEqual({ dataDir: '/srv/d' });
    expect(storeLocation({ database: 'postgresql://h/db' }, { ICE_DOCTOR_DATA_DIR: '/srv/d' })).toEqual({
      databaseUrl: 'postgresql://h/db',
    });
    expect(() =>
      storeLocation({}, { ICE_DOCTOR_DATA_DIR: '/d', ICE_DOCTOR_DATABASE_URL: 'postgres://h/d' }),
    ).toThrow(/^ICE_DOCTOR_DATA_DIR and ICE_DOCTOR_DATABASE_URL: give one store/);
  });

  it('defaults to 30 days of retention, takes 0 and durations', () => {
    expect(parseSupportFlags({ dataDir: '/d' }, true, {})).toEqual({
      location: { dataDir: '/d' },
      retentionMs: DEFAULT_RETENTION_MS,
      scrubIps: false,
      webhookUrl: null,
      webhookSecretFile: null,
    });
    expect(parseSupportFlags({ dataDir: '/d', retention: '0' }, true, {})!.retentionMs).toBe(0);
    expect(parseSupportFlags({ dataDir: '/d', retention: '12h' }, true, {})!.retentionMs).toBe(43_200_000);
  });

  it('names the flag of every refusal', () => {
    const cases: [Parameters<typeof parseSupportFlags>[0], boolean, RegExp][] = [
      [{ scrubIps: true }, true, /^--scrub-ips: needs support links on/],
      [{ dataDir: '/d', webhookUrl: 'https://h/x' }, true, /^--webhook-url: needs --webhook-secret-file/],
      [{ dataDir: '/d', webhookUrl: 'ftp://h/x', webhookSecretFile: 'f' }, true, /^--webhook-url: 'ftp/],
      [{ dataDir: '/d', retention: 'forever' }, true, /^--retention: use a number and a unit/],
      [{ database: 'mysql://h/db' }, true, /^--database: must be a postgres/],
      [{ dataDir: '/d' }, false, /^--no-report: /],
    ];
    for (const [flags, reportOn, message] of cases) {
      expect(() => parseSupportFlags(flags, reportOn, {})).toThrow(ConfigError);
      expect(() => parseSupportFlags(flags, reportOn, {})).toThrow(message);
    }
  });
});
