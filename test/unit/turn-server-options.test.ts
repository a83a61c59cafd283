/**
 * Unit tests of option validation (src/server/stun/options.ts) and socket roles
 * (src/server/stun/socket-role.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../src/cli/config/serve-flags.js';
import { parseTurnFlags, type TurnFlags } from '../../src/cli/config/turn-flags.js';
import { ConfigError, SettingsError } from '../../src/errors.js';
import { parseStunServerOptions } from '../../src/server/stun/options.js';
import { changedRole } from '../../src/server/stun/socket-role.js';
import { DEFAULT_AUTH_LIMIT } from '../../src/server/turn/auth/limiter.js';

describe('parseStunServerOptions', () => {
  it('fills in the embedded default', () => {
    expect(parseStunServerOptions({})).toEqual({
      addresses: ['127.0.0.1', '127.0.0.2'],
      port: 3478,
      altPort: 3479,
      tcp: true,
      udpBufferBytes: 4 * 1024 * 1024,
      software: 'ice-doctor',
    });
  });

  it('leaves the alternate port to be picked with port 0', () => {
    expect(parseStunServerOptions({ port: 0 }).altPort).toBeNull();
    expect(parseStunServerOptions({ port: 5000, altPort: 6000 }).altPort).toBe(6000);
  });

  it.each([
    [{ addresses: [] }, /^addresses: /],
    [{ addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] }, /^addresses: /],
    [{ addresses: ['localhost'] }, /^addresses: not an IPv4 or IPv6 address, got 'localhost'$/],
    [{ addresses: ['0.0.0.0'] }, /wildcard/],
    [{ addresses: ['127.0.0.1', '127.0.0.1'] }, /must differ/],
    [{ addresses: ['127.0.0.1', '::1'] }, /one family/],
    [{ port: 70000 }, /^port: /],
    [{ port: 1.5 }, /^port: /],
    [{ port: 3478, altPort: 3478 }, /^altPort: must differ/],
    [{ port: 0, altPort: 4000 }, /^altPort: cannot be set/],
    [{ port: 65535 }, /^altPort: /],
    [{ software: 'é'.repeat(65) }, /longer than 128 bytes/],
    [{ colour: 'red' }, /^colour: not a STUN server option$/],
  ])('rejects %j with a one-line SettingsError naming the field, not a flag', (input, message) => {
    let caught: unknown;
    try {
      parseStunServerOptions(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect(caught).not.toBeInstanceOf(ConfigError);
    expect((caught as SettingsError).message).toMatch(message);
    expect((caught as SettingsError).message).not.toContain('\n');
    expect((caught as SettingsError).exitCode).toBe(2);
  });
});

describe('parseServeFlags', () => {
  it('maps the flags', () => {
    expect(
      parseServeFlags({
        listen: '203.0.113.10, 203.0.113.11',
        port: '3478',
        tcp: false,
        udpBufferBytes: '0',
      }),
    ).toEqual({
      addresses: ['203.0.113.10', '203.0.113.11'],
      port: 3478,
      altPort: 3479,
      tcp: false,
      udpBufferBytes: 0,
      software: 'ice-doctor',
    });
  });

  it.each([
    [{ port: 'abc' }, "--port: must be a port number (0–65535), got 'abc'"],
    [{ altPort: '-1' }, "--alt-port: must be a port number (1–65535), got '-1'"],
    [{ port: '99999' }, "--port: must be a port number (0–65535), got '99999'"],
    [{ listen: '127.0.0.1,nope' }, "--listen: not an IPv4 or IPv6 address, got 'nope'"],
    [
      { udpBufferBytes: '1024' },
      "--udp-buffer-bytes: must be a whole number of bytes from 65536 to 268435456, or 0 for the kernel default, got '1024'",
    ],
    [{ udpBufferBytes: '-1' }, /^--udp-buffer-bytes: must be /],
  ])('rejects %j', (flags, message) => {
    expect(() => parseServeFlags(flags)).toThrow(message);
  });
});

describe('parseTurnFlags: secrets and passwords', () => {
  const parse = (flags: TurnFlags, env: NodeJS.ProcessEnv = {}) =>
    parseTurnFlags(flags, ['127.0.0.1'], true, env);

  it.each([
    [{ authSecret: [''] }, {}, /^--auth-secret: a secret is empty or only whitespace/],
    [{ authSecret: ['a-long-enough-secret-0123', ' \t'] }, {}, /^--auth-secret: /],
    [{}, { ICE_DOCTOR_AUTH_SECRET: '' }, /^ICE_DOCTOR_AUTH_SECRET: a secret is empty/],
    [{}, { ICE_DOCTOR_AUTH_SECRET: 'a-long-enough-secret-0123,,b' }, /^ICE_DOCTOR_AUTH_SECRET: /],
    [{ user: ['a:'] }, {}, /^--user: 'a' needs the form name:password/],
    [{ user: ['a:   '] }, {}, /^--user: the password of 'a' is only whitespace/],
    [{ user: [' :x'] }, {}, /^--user: the name before the colon is only whitespace/],
  ] as const)('refuses %j with env %j', (flags, env, message) => {
    expect(() => parse({ ...flags } as TurnFlags, env)).toThrow(message);
  });

  it('warns about a secret under 16 bytes, naming where it came from, and not about a long one', () => {
    expect(parse({ authSecret: ['short'] }).warnings).toEqual([
      expect.stringMatching(/^--auth-secret: a secret of 5 bytes, shorter than 16: /),
    ]);
    expect(parse({}, { ICE_DOCTOR_AUTH_SECRET: 'x'.repeat(16) }).warnings).toEqual([]);
    expect(parse({}, { ICE_DOCTOR_AUTH_SECRET: 'tiny' }).warnings[0]).toMatch(/^ICE_DOCTOR_AUTH_SECRET: /);
  });
});

describe('parseTurnFlags: brute-force limit', () => {
  const parse = (flags: TurnFlags) => parseTurnFlags({ user: ['a:b'], ...flags }, ['127.0.0.1'], true, {});

  it('defaults to 20 failures within 60 s blocking for 60 s', () => {
    expect(parse({}).authLimit).toEqual(DEFAULT_AUTH_LIMIT);
  });

  it('takes --auth-failure-limit (0 turns it off) and --auth-block in seconds', () => {
    expect(parse({ authFailureLimit: '5', authBlock: '300' }).authLimit).toEqual({
      ...DEFAULT_AUTH_LIMIT,
      failureLimit: 5,
      blockMs: 300_000,
    });
    expect(parse({ authFailureLimit: '0' }).authLimit.failureLimit).toBe(0);
  });

  it.each([
    [{ authFailureLimit: '-1' }, "--auth-failure-limit: must be a whole number (0–999999999), got '-1'"],
    [{ authFailureLimit: 'lots' }, "--auth-failure-limit: must be a whole number (0–999999999), got 'lots'"],
    [{ authBlock: '0' }, "--auth-block: must be a whole number (1–999999999), got '0'"],
    [{ authBlock: '1.5' }, "--auth-block: must be a whole number (1–999999999), got '1.5'"],
  ])('rejects %j with a one-line ConfigError', (flags, message) => {
    expect(() => parse(flags)).toThrow(ConfigError);
    expect(() => parse(flags)).toThrow(message);
  });
});

describe('parseTurnFlags: connections', () => {
  const parse = (flags: TurnFlags) => parseTurnFlags({ user: ['a:b'], ...flags }, ['127.0.0.1'], true, {});

  it('defaults to a 60-s allocate timeout and 100 connections per client IP', () => {
    expect(parse({})).toMatchObject({ allocateTimeoutS: 60, connectionsPerIp: 100 });
  });

  it('takes --allocate-timeout in seconds and --max-connections-per-ip', () => {
    expect(parse({ allocateTimeout: '5', maxConnectionsPerIp: '7' })).toMatchObject({
      allocateTimeoutS: 5,
      connectionsPerIp: 7,
    });
  });

  it.each([
    [{ allocateTimeout: '0' }, "--allocate-timeout: must be a whole number (1–3600), got '0'"],
    [{ allocateTimeout: '60s' }, "--allocate-timeout: must be a whole number (1–3600), got '60s'"],
    [{ maxConnectionsPerIp: '0' }, "--max-connections-per-ip: must be a whole number (1–999999999), got '0'"],
  ])('rejects %j with a one-line ConfigError naming the flag', (flags, message) => {
    expect(() => parse(flags)).toThrow(message);
  });
});

describe('changedRole', () => {
  it('swaps the IP and/or port half', () => {
    expect(changedRole('A1:P1', false, false)).toBe('A1:P1');
    expect(changedRole('A1:P1', true, false)).toBe('A2:P1');
    expect(changedRole('A1:P1', false, true)).toBe('A1:P2');
    expect(changedRole('A2:P2', true, true)).toBe('A1:P1');
  });
});
