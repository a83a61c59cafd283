import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/config/duration.js';
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
