/**
 * Unit tests of option validation (src/turn-server/options.ts) and socket roles
 * (src/turn-server/socket-role.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_AUTH_LIMIT } from '../../src/turn-server/auth-limiter.js';
import { parseServeFlags, parseStunServerOptions } from '../../src/turn-server/options.js';
import { changedRole } from '../../src/turn-server/socket-role.js';
import { parseTurnFlags, type TurnFlags } from '../../src/turn-server/turn-options.js';

describe('parseStunServerOptions', () => {
  it('fills in the embedded default', () => {
    expect(parseStunServerOptions({})).toEqual({
      addresses: ['127.0.0.1', '127.0.0.2'],
      port: 3478,
      altPort: 3479,
      tcp: true,
      software: 'ice-doctor',
    });
  });

  it('leaves the alternate port to be picked with port 0', () => {
    expect(parseStunServerOptions({ port: 0 }).altPort).toBeNull();
    expect(parseStunServerOptions({ port: 5000, altPort: 6000 }).altPort).toBe(6000);
  });

  it.each([
    [{ addresses: [] }, /^--listen: /],
    [{ addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] }, /^--listen: /],
    [{ addresses: ['localhost'] }, /^--listen: not an IPv4 or IPv6 address, got 'localhost'$/],
    [{ addresses: ['0.0.0.0'] }, /wildcard/],
    [{ addresses: ['127.0.0.1', '127.0.0.1'] }, /must differ/],
    [{ addresses: ['127.0.0.1', '::1'] }, /one family/],
    [{ port: 70000 }, /^--port: /],
    [{ port: 1.5 }, /^--port: /],
    [{ port: 3478, altPort: 3478 }, /^--alt-port: must differ/],
    [{ port: 0, altPort: 4000 }, /^--alt-port: cannot be set/],
    [{ port: 65535 }, /^--alt-port: /],
    [{ software: 'é'.repeat(65) }, /longer than 128 bytes/],
    [{ colour: 'red' }, /./],
  ])('rejects %j with a one-line ConfigError', (input, message) => {
    let caught: unknown;
    try {
      parseStunServerOptions(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).message).not.toContain('\n');
    expect((caught as ConfigError).exitCode).toBe(2);
  });
});

describe('parseServeFlags', () => {
  it('maps the flags', () => {
    expect(parseServeFlags({ listen: '203.0.113.10, 203.0.113.11', port: '3478', tcp: false })).toEqual({
      addresses: ['203.0.113.10', '203.0.113.11'],
      port: 3478,
      altPort: 3479,
      tcp: false,
      software: 'ice-doctor',
    });
  });

  it.each([
    [{ port: 'abc' }, "--port: must be a port number (0–65535), got 'abc'"],
    [{ altPort: '-1' }, "--alt-port: must be a port number (1–65535), got '-1'"],
    [{ port: '99999' }, "--port: must be a port number (0–65535), got '99999'"],
    [{ listen: '127.0.0.1,nope' }, "--listen: not an IPv4 or IPv6 address, got 'nope'"],
  ])('rejects %j', (flags, message) => {
    expect(() => parseServeFlags(flags)).toThrow(message);
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

describe('changedRole', () => {
  it('swaps the IP and/or port half', () => {
    expect(changedRole('A1:P1', false, false)).toBe('A1:P1');
    expect(changedRole('A1:P1', true, false)).toBe('A2:P1');
    expect(changedRole('A1:P1', false, true)).toBe('A1:P2');
    expect(changedRole('A2:P2', true, true)).toBe('A1:P1');
  });
});
