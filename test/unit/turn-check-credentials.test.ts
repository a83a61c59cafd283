import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  credentialFlagsFromEnv,
  resolveTurnCredentials,
} from '../../src/cli/config/turn-check-credentials.js';
import { ConfigError } from '../../src/errors.js';

describe('resolveTurnCredentials', () => {
  it('takes --user/--password as long-term credentials', () => {
    expect(resolveTurnCredentials({ user: 'alice', password: 's3cret' })).toEqual({
      credentials: { username: 'alice', password: 's3cret' },
      source: 'long-term',
    });
  });

  it('mints TURN REST credentials from --auth-secret: <expiry>:<user>, base64 HMAC-SHA1', () => {
    const nowMs = 1_700_000_000_000;
    const r = resolveTurnCredentials({ authSecret: 'topsecret', restUser: 'probe', restTtlS: 60 }, nowMs);
    expect(r.source).toBe('rest');
    expect(r.credentials.username).toBe('1700000060:probe');
    expect(r.credentials.password).toBe(
      createHmac('sha1', 'topsecret').update('1700000060:probe').digest('base64'),
    );
  });

  it('defaults the REST user to ice-doctor and the TTL to an hour', () => {
    const r = resolveTurnCredentials({ authSecret: 'x' }, 1_700_000_000_000);
    expect(r.credentials.username).toBe('1700003600:ice-doctor');
  });

  it.each([
    [{}, /missing credentials/],
    [{ password: 'p' }, /missing credentials/],
    [{ user: 'alice' }, /missing --password for user "alice" \(or ICE_DOCTOR_TURN_PASSWORD\)/],
    [{ user: 'alice', password: 'p', authSecret: 's' }, /not both/],
    [{ authSecret: '' }, /--auth-secret is empty/],
    [{ user: 'alice', password: 'p', restUser: 'x' }, /--rest-user needs --auth-secret/],
  ])('%o is a usage error', (flags, message) => {
    expect(() => resolveTurnCredentials(flags)).toThrow(ConfigError);
    expect(() => resolveTurnCredentials(flags)).toThrow(message);
  });
});

describe('credentialFlagsFromEnv (flags > environment)', () => {
  const env = {
    ICE_DOCTOR_TURN_USER: 'envuser',
    ICE_DOCTOR_TURN_PASSWORD: 'envpass',
    ICE_DOCTOR_TURN_SECRET: 'envsecret',
  };

  it('fills user and password from the environment, a flag wins', () => {
    const f = credentialFlagsFromEnv(
      { user: 'alice' },
      { ICE_DOCTOR_TURN_USER: 'x', ICE_DOCTOR_TURN_PASSWORD: 'p' },
    );
    expect(f).toMatchObject({ user: 'alice', password: 'p', authSecret: undefined });
  });

  it('a static flag keeps the environment secret out, and a secret flag keeps the environment user out', () => {
    expect(resolveTurnCredentials(credentialFlagsFromEnv({ password: 'flagpass' }, env)).credentials).toEqual(
      {
        username: 'envuser',
        password: 'flagpass',
      },
    );
    expect(resolveTurnCredentials(credentialFlagsFromEnv({ authSecret: 'flagsecret' }, env)).source).toBe(
      'rest',
    );
  });

  it('an empty variable counts as unset', () => {
    const f = credentialFlagsFromEnv({}, { ICE_DOCTOR_TURN_USER: '', ICE_DOCTOR_TURN_SECRET: 's' });
    expect(resolveTurnCredentials(f).source).toBe('rest');
  });

  it('both kinds in the environment alone conflict', () => {
    expect(() => resolveTurnCredentials(credentialFlagsFromEnv({}, env))).toThrow(/not both/);
  });
});
