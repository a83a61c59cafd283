/**
 * The exporter's config file (src/cli/config/exporter-config.ts): every refusal names the file, the dotted
 * key and what is accepted (a ConfigError: one line, exit 2); credentials only from environment variables
 * or files; TURN REST credentials minted fresh for every probe.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseListen, readExporterConfig, refuseOpenProber } from '../../src/cli/config/exporter-config.js';
import { ConfigError } from '../../src/errors.js';
import { restPassword } from '../../src/wire/rest-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'exporter-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIMITS = { maxConcurrent: 4, maxQueued: 8 };
let n = 0;

/** Writes `yaml` to a fresh file and reads it with `env`. */
function read(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, yaml);
  return { file, settings: () => readExporterConfig(file, LIMITS, env) };
}

/** The ConfigError message of reading `yaml`, without the file name. */
function refused(yaml: string, env: NodeJS.ProcessEnv = {}): string {
  const { file, settings } = read(yaml, env);
  try {
    settings();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    const message = (err as Error).message;
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).not.toContain('\n');
    return message.slice(file.length + 2);
  }
  throw new Error('accepted');
}

describe('exporter: config file', () => {
  it('reads modules with defaults: 10 s timeout, verified TLS, the transport as given', () => {
    const { settings } = read(
      [
        'modules:',
        '  turn_udp:',
        '    kind: turn',
        '    transport: udp',
        '    credentials: { user: alice, passwordEnv: TURN_PW }',
        '  stun: { kind: stun, timeout: 2500ms }',
        'allowedTargets: [turn.example.org]',
      ].join('\n'),
      { TURN_PW: 'wonderland' },
    );
    const s = settings();
    expect([...s.modules.keys()]).toEqual(['turn_udp', 'stun']);
    const t = s.modules.get('turn_udp');
    expect(t).toMatchObject({
      kind: 'turn',
      name: 'turn_udp',
      transport: 'udp',
      timeoutMs: 10_000,
      insecure: false,
      quality: true,
      outsideReach: true,
    });
    expect(t?.kind === 'turn' && t.credentials()).toEqual({
      credentials: { username: 'alice', password: 'wonderland' },
      source: 'long-term',
    });
    expect(s.modules.get('stun')).toMatchObject({ kind: 'stun', timeoutMs: 2500 });
    expect(s.allowedTargets).toEqual(['turn.example.org']);
    expect(s).toMatchObject({ maxConcurrent: 4, maxQueued: 8, timeoutOffsetMs: 500 });
  });

  it('reads a password file (one trailing newline dropped) and mints TURN REST credentials per call', () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, 's3cret\n');
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'rest-secret\n');
    const { settings } = read(
      [
        'modules:',
        `  a: { kind: turn, credentials: { user: bob, passwordFile: ${pw} } }`,
        `  b: { kind: turn, timeout: 1m, credentials: { restSecretFile: ${secret}, restUser: prom, restTtl: 120s } }`,
      ].join('\n'),
    );
    const s = settings();
    const a = s.modules.get('a');
    expect(a?.kind === 'turn' && a.credentials().credentials.password).toBe('s3cret');
    const b = s.modules.get('b');
    if (b?.kind !== 'turn') throw new Error('not turn');
    expect(b.timeoutMs).toBe(60_000);
    const minted = b.credentials();
    expect(minted.source).toBe('rest');
    expect(minted.credentials.username).toMatch(/^\d+:prom$/);
    const expiry = Number(minted.credentials.username.split(':')[0]);
    expect(expiry - Date.now() / 1000).toBeGreaterThan(100);
    expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(121);
    expect(minted.credentials.password).toBe(restPassword('rest-secret', minted.credentials.username));
  });

  it('names an unknown key with the accepted ones, at every level', () => {
    expect(refused('modules: { a: { kind: stun } }\nmodule: x')).toBe(
      "unknown key 'module' (accepted: modules, allowedTargets, allowAnyTarget)",
    );
    expect(refused('modules: { a: { kind: stun, transport: udp } }')).toBe(
      "modules.a: unknown key 'transport' (accepted: kind, timeout, insecure, caFile)",
    );
    expect(refused('modules: { a: { kind: turn, credentials: { user: u, password: p } } }')).toBe(
      "modules.a.credentials: unknown key 'password' (accepted: user, passwordFile, passwordEnv, restSecretFile, restSecretEnv, restUser, restTtl)",
    );
  });

  it('names the accepted values of kind, transport, timeout and insecure', () => {
    expect(refused('modules: { a: { kind: http } }')).toBe(
      'modules.a.kind: must be one of turn, stun, got "http"',
    );
    expect(
      refused('modules: { a: { kind: turn, transport: dtls, credentials: {user: u, passwordEnv: P} } }'),
    ).toBe('modules.a.transport: must be one of udp, tcp, tls, got "dtls"');
    expect(refused('modules: { a: { kind: stun, timeout: soon } }')).toBe(
      'modules.a.timeout: must be a duration like 10s, 500ms or 1m (more than 0, at most 120s), got "soon"',
    );
    expect(refused('modules: { a: { kind: stun, timeout: 0 } }')).toContain(
      'modules.a.timeout: must be a duration',
    );
    expect(refused('modules: { a: { kind: stun, insecure: yes please } }')).toBe(
      'modules.a.insecure: must be true or false, got "yes please"',
    );
    expect(refused('modules: { a: { kind: stun } }\nallowedTargets: []')).toMatch(/^allowedTargets: /);
    expect(
      refused('modules: { a: { kind: turn, quality: off, credentials: {user: u, passwordEnv: P} } }', {
        P: 'p',
      }),
    ).toBe('modules.a.quality: must be true or false, got "off"');
  });

  it('turns the relay quality measure and the outside reach check off per module', () => {
    const { settings } = read(
      'modules: { t: { kind: turn, quality: false, outsideReach: false, credentials: {user: u, passwordEnv: P} } }',
      { P: 'p' },
    );
    expect(settings().modules.get('t')).toMatchObject({ quality: false, outsideReach: false });
  });

  it('refuses an empty file, no modules, a bad module name and text that is not YAML', () => {
    expect(refused('')).toBe('modules: missing (a mapping)');
    expect(refused('modules: {}')).toBe('modules: must name at least one module');
    expect(refused('modules: { "a b": { kind: stun } }')).toBe(
      'modules: "a b" is not a module name (letters, digits, _ . -)',
    );
    expect(refused('modules: [')).toMatch(/^not YAML: /);
    expect(() => readExporterConfig(join(dir, 'missing.yaml'), LIMITS)).toThrow(
      /missing.yaml: cannot read it \(ENOENT\)/,
    );
  });

  it('credentials: one kind, complete, from a set variable or a readable, non-empty file', () => {
    const mod = (c: string) => `modules: { t: { kind: turn, credentials: ${c} } }`;
    expect(refused('modules: { t: { kind: turn } }')).toBe('modules.t.credentials: missing (a mapping)');
    expect(refused(mod('{}'))).toBe(
      'modules.t.credentials: give user with passwordFile or passwordEnv, or restSecretFile or restSecretEnv (TURN REST, with optional restUser, restTtl)',
    );
    expect(refused(mod('{ user: u, passwordEnv: P, restSecretEnv: S }'), { P: 'p', S: 's' })).toContain(
      ', not both',
    );
    expect(refused(mod('{ passwordEnv: P }'), { P: 'p' })).toBe(
      'modules.t.credentials.user: missing (the long-term user name)',
    );
    expect(refused(mod('{ user: u }'))).toBe(
      'modules.t.credentials: give one of passwordFile, passwordEnv for user "u"',
    );
    expect(refused(mod('{ user: u, passwordEnv: P, passwordFile: /x }'), { P: 'p' })).toContain(
      'give one of passwordFile, passwordEnv',
    );
    expect(refused(mod('{ user: u, passwordEnv: TURN_PW }'), { TURN_PW: '' })).toBe(
      'modules.t.credentials.passwordEnv: the environment variable TURN_PW is not set',
    );
    expect(refused(mod(`{ user: u, passwordFile: ${join(dir, 'nope')} }`))).toBe(
      `modules.t.credentials.passwordFile: cannot read ${join(dir, 'nope')} (ENOENT)`,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(refused(mod(`{ restSecretFile: ${empty} }`))).toBe(
      `modules.t.credentials.restSecretFile: ${empty} is empty`,
    );
    expect(refused(mod('{ restSecretEnv: S, restSecretFile: /x }'), { S: 's' })).toContain(
      'restSecretFile, restSecretEnv, not both',
    );
    expect(refused(mod('{ restSecretEnv: S, restTtl: 10ms }'), { S: 's' })).toBe(
      'modules.t.credentials.restTtl: must be at least 1s',
    );
  });

  it('caFile: read as PEM, or refused naming the key', () => {
    expect(refused(`modules: { s: { kind: stun, caFile: ${join(dir, 'none.pem')} } }`)).toMatch(
      /^modules\.s\.caFile .*none\.pem: cannot read it \(ENOENT\)$/,
    );
  });
});

describe('exporter: --listen', () => {
  it('takes HOST:PORT and [IPv6]:PORT', () => {
    expect(parseListen('127.0.0.1:9478')).toEqual({ host: '127.0.0.1', port: 9478 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('localhost:9478')).toEqual({ host: 'localhost', port: 9478 });
  });

  it('refuses anything else, naming the flag and the form', () => {
    for (const v of ['9478', '127.0.0.1', '::1:9478', '127.0.0.1:70000', 'host:port'])
      expect(() => parseListen(v), v).toThrow(
        /^--listen: must be HOST:PORT with a port 0–65535 \(IPv6 in brackets\)/,
      );
  });
});

describe('an open prober is refused; REST keys with long-term credentials are named', () => {
  const stun = 'modules:\n  s:\n    kind: stun\n';
  it('a non-loopback --listen without allowedTargets: a ConfigError naming both, unless allowAnyTarget', () => {
    const open = read(stun);
    expect(() => refuseOpenProber(open.file, '0.0.0.0', open.settings())).toThrow(ConfigError);
    expect(() => refuseOpenProber(open.file, '0.0.0.0', open.settings())).toThrow(
      /--listen 0\.0\.0\.0 is reachable from other hosts, but .* has no allowedTargets.*allowAnyTarget: true/,
    );
    for (const host of ['127.0.0.1', '::1', 'localhost'])
      expect(() => refuseOpenProber(open.file, host, open.settings())).not.toThrow();
    const narrowed = read(`${stun}allowedTargets: [turn.example.org]\n`);
    expect(() => refuseOpenProber(narrowed.file, '0.0.0.0', narrowed.settings())).not.toThrow();
    const any = read(`${stun}allowAnyTarget: true\n`);
    expect(() => refuseOpenProber(any.file, '::', any.settings())).not.toThrow();
  });

  it.each([
    ['restUser: bob', 'restUser'],
    ['restTtl: 60s', 'restTtl'],
  ])('%s with user and password: the key named', (line, key) => {
    const yaml = `modules:\n  t:\n    kind: turn\n    credentials:\n      user: alice\n      passwordEnv: PW\n      ${line}\n`;
    expect(refused(yaml, { PW: 'x' })).toBe(
      `modules.t.credentials.${key}: only for TURN REST credentials (restSecretFile or restSecretEnv), not with user and a password`,
    );
  });
});
