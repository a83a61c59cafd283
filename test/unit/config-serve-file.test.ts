/**
 * `ice-doctor serve`'s settings from every source (src/cli/config/serve-config.ts, config-file.ts,
 * print-config.ts), through the real `serve` command's options: precedence flags > ICE_DOCTOR_* > the
 * --config file > defaults, unknown keys and bad values named by file and key, masking in --print-config,
 * and the example file of deploy/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { registerServe } from '../../src/cli/commands/serve.js';
import { effectiveConfig, renderConfig } from '../../src/cli/config/print-config.js';
import { resolveServeConfig, type ServeConfig } from '../../src/cli/config/serve-config.js';
import { ConfigError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `text` to a new YAML file and returns its path. */
function file(text: string): string {
  const path = join(dir, `serve-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** The settings `ice-doctor serve <args>` would run with under `env` (the real command, its action replaced). */
async function resolve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeConfig> {
  const program = new Command().exitOverride();
  registerServe(program);
  const serve = program.commands.find((c) => c.name() === 'serve')!;
  let config: ServeConfig | undefined;
  serve.action((flags, command: Command) => {
    config = resolveServeConfig(command, flags, env);
  });
  await program.parseAsync(['serve', ...args], { from: 'user' });
  return config!;
}

/** The ConfigError message `serve <args>` is refused with. */
async function refused(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const err = await resolve(args, env).then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

describe('serve settings: flags > environment > file > defaults', () => {
  const f = () =>
    file(
      'realm: file.example\nrelay-ports: 49300-49310\nlisten: [127.0.0.3]\nauth-secret: [file-secret-0123456789]\n',
    );

  it('the realm: flag, else ICE_DOCTOR_REALM, else the file, else the default', async () => {
    const path = f();
    const env = { ICE_DOCTOR_REALM: 'env.example' };
    expect((await resolve(['--config', path, '--realm', 'flag.example'], env)).turn.realm).toBe(
      'flag.example',
    );
    expect((await resolve(['--config', path], env)).turn.realm).toBe('env.example');
    expect((await resolve(['--config', path])).turn.realm).toBe('file.example');
    expect((await resolve([])).turn.realm).toBe('ice-doctor');
  });

  it('the public hosts: --public-host, else ICE_DOCTOR_PUBLIC_HOST (set but empty: none), else the file', async () => {
    const path = file('public-host: [file.example.org]\n');
    const env = { ICE_DOCTOR_PUBLIC_HOST: 'Env.Example.org, env2.example.org' };
    const hosts = async (args: string[], e: NodeJS.ProcessEnv = {}) =>
      (await resolve(args, e)).report?.publicHosts;
    expect(await hosts(['--config', path, '--public-host', 'flag.example.org'], env)).toEqual([
      'flag.example.org',
    ]);
    expect(await hosts(['--config', path], env)).toEqual(['env.example.org', 'env2.example.org']);
    expect(await hosts(['--config', path], { ICE_DOCTOR_PUBLIC_HOST: '' })).toEqual([]);
    expect(await hosts(['--config', path])).toEqual(['file.example.org']);
    expect(await hosts([])).toEqual([]);
    expect(await refused([], { ICE_DOCTOR_PUBLIC_HOST: 'ok.example.org,https://bad.example.org' })).toBe(
      "ICE_DOCTOR_PUBLIC_HOST: 'https://bad.example.org' is not a host name or IP address (like turn.example.org; no scheme, port or path)",
    );
  });

  it('the relay ports, listen addresses and secrets the same way', async () => {
    const path = f();
    const env = {
      ICE_DOCTOR_RELAY_PORTS: '49400-49410',
      ICE_DOCTOR_LISTEN: '127.0.0.4',
      ICE_DOCTOR_AUTH_SECRET: 'env-secret-0123456789',
    };
    const flagged = await resolve(
      [
        '--config',
        path,
        '--relay-ports',
        '49500-49510',
        '--listen',
        '127.0.0.5',
        '--auth-secret',
        'flag-secret-0123456789',
      ],
      env,
    );
    expect(flagged.turn.relayPorts).toEqual({ min: 49500, max: 49510 });
    expect(flagged.stun.addresses).toEqual(['127.0.0.5']);
    expect(flagged.turn.authSecrets).toEqual(['flag-secret-0123456789']);
    const fromEnv = await resolve(['--config', path], env);
    expect(fromEnv.turn.relayPorts).toEqual({ min: 49400, max: 49410 });
    expect(fromEnv.stun.addresses).toEqual(['127.0.0.4']);
    expect(fromEnv.turn.authSecrets).toEqual(['env-secret-0123456789']);
    const fromFile = await resolve(['--config', path]);
    expect(fromFile.turn.relayPorts).toEqual({ min: 49300, max: 49310 });
    expect(fromFile.stun.addresses).toEqual(['127.0.0.3']);
    expect(fromFile.turn.authSecrets).toEqual(['file-secret-0123456789']);
    expect(fromFile.turn.generatedUser).toBeNull();
  });

  it('a key without a variable: the flag beats the file; switches and repeatable lists as the flags have them', async () => {
    const path = file(
      'port: 0\ntcp: false\nreport: false\nuser: [alice:a-password, bob:b-password]\nallow-peer: 10.0.0.0/8, 192.168.0.0/16\n',
    );
    const config = await resolve(['--config', path]);
    expect(config.stun).toMatchObject({ port: 0, tcp: false });
    expect(config.report).toBeNull();
    expect([...config.turn.users.keys()]).toEqual(['alice', 'bob']);
    expect(config.turn.allowPeers).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(config.turn.allowPeersDefaulted).toBe(false);
    expect((await resolve(['--config', path, '--port', '4000'])).stun.port).toBe(4000);
  });

  it('ICE_DOCTOR_CONFIG names the file when --config does not', async () => {
    const path = file('realm: from-variable.example\n');
    expect((await resolve([], { ICE_DOCTOR_CONFIG: path })).turn.realm).toBe('from-variable.example');
    expect((await resolve(['--config', f()], { ICE_DOCTOR_CONFIG: path })).turn.realm).toBe('file.example');
  });
});

describe('serve settings: refusals name the file, the key and the accepted values', () => {
  it('an unknown key, naming it, the file and the keys accepted', async () => {
    const path = file('port: 0\ncolour: red\n');
    const message = await refused(['--config', path]);
    expect(message).toMatch(
      new RegExp(`^${path}: unknown key 'colour' \\(the keys are the long flags without --: listen, port, `),
    );
    expect(message).toContain('auth-secret');
    expect(message).not.toContain('print-config');
  });

  it.each([
    ['port: 70000\n', "port: must be a port number (0–65535), got '70000'"],
    ['port: [1, 2]\n', 'port: must be one value (a string or a number), got [1,2]'],
    ['tcp: "no"\n', 'tcp: must be true or false, got "no"'],
    ['relay-ports: 10-20\n', "relay-ports: '10-20' is not a range like 49160-49200 within 1024–65535"],
    ['realm: ""\n', 'realm: must be 1–763 bytes (RFC 8489 §14.9), got 0'],
    ['user: ["alice:"]\n', "user: 'alice' needs the form name:password"],
    ['auth-secret: ["  "]\n', 'auth-secret: a secret is empty or only whitespace'],
    ['external-ip: nope\n', "external-ip: 'nope' is not an IP address"],
    ['listen: [127.0.0.1, localhost]\n', "listen: not an IPv4 or IPv6 address, got 'localhost'"],
    ['report-port: 8080\nreport-https-port: 8080\n', 'report-https-port: must differ from --report-port'],
  ])('%j', async (text, expected) => {
    const path = file(text);
    expect(await refused(['--config', path])).toContain(`${path}: ${expected}`);
  });

  it('the same bad value given as a flag still names the flag', async () => {
    expect(await refused(['--config', file('realm: x\n'), '--port', '70000'])).toBe(
      "--port: must be a port number (0–65535), got '70000'",
    );
    expect(await refused(['--listen', 'localhost'])).toBe(
      "--listen: not an IPv4 or IPv6 address, got 'localhost'",
    );
    expect(await refused([], { ICE_DOCTOR_LISTEN: 'localhost' })).toBe(
      "ICE_DOCTOR_LISTEN: not an IPv4 or IPv6 address, got 'localhost'",
    );
  });

  it('a file that cannot be read, is not YAML, or is not a mapping', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await refused(['--config', missing])).toBe(`${missing}: cannot read it (ENOENT)`);
    const broken = file('port: [1\nrealm: x\n');
    expect(await refused(['--config', broken])).toMatch(
      new RegExp(`^${broken}: not YAML: .* at line 2, column 1$`),
    );
    const list = file('- port\n- 3478\n');
    expect(await refused(['--config', list])).toBe(
      `${list}: must be a mapping of keys (the long flags, like port: 3478) to values`,
    );
  });

  it('an empty file is no setting at all', async () => {
    expect((await resolve(['--config', file('# nothing yet\n')])).stun.port).toBe(3478);
  });
});

describe('serve --print-config', () => {
  const secretive = () =>
    file(
      [
        'port: 0',
        'user: [alice:alice-Password-1]',
        'auth-secret: [the-rest-secret-0123456789, the-old-secret-9876543210]',
        'page-ice-server:',
        '  - "turns:turn.example.org:5349;secret=page-secret-abc"',
        '  - "turn:turn2.example.org;user=carol:carol-Password-2"',
        '  - "turn:turn3.example.org;secret-env=TURN3_SECRET"',
        '',
      ].join('\n'),
    );

  it('masks every secret and password, in YAML and JSON', async () => {
    const config = await resolve(['--config', secretive()], { TURN3_SECRET: 'env-page-secret-xyz' });
    for (const text of [renderConfig(config, false), renderConfig(config, true)]) {
      for (const secret of [
        'alice-Password-1',
        'the-rest-secret',
        'the-old-secret',
        'page-secret-abc',
        'carol-Password-2',
        'env-page-secret-xyz',
      ])
        expect(text).not.toContain(secret);
    }
    const printed = parseYaml(renderConfig(config, false)) as Record<string, unknown>;
    expect(printed['auth-secret']).toEqual(['****', '****']);
    expect(printed.user).toEqual(['alice:****']);
    expect(printed['page-ice-server']).toEqual([
      'turns:turn.example.org:5349;secret=****',
      'turn:turn2.example.org;user=carol:****',
      'turn:turn3.example.org;secret-env=TURN3_SECRET',
    ]);
    expect(JSON.parse(renderConfig(config, true))).toEqual(printed);
  });

  it('masks the database password in the user-info and in ?password= / ?sslpassword=', async () => {
    const config = await resolve([
      '--port',
      '0',
      '--database',
      'postgres://ops:db-Pass-1@db.example.org/ice?password=db-Pass-2&sslpassword=db-Pass-3&sslmode=require',
    ]);
    for (const text of [renderConfig(config, false), renderConfig(config, true)])
      for (const secret of ['db-Pass-1', 'db-Pass-2', 'db-Pass-3']) expect(text).not.toContain(secret);
    expect(renderConfig(config, false)).toContain('sslmode=require');
  });

  it('shows the defaults, leaves out the generated user, and is itself a config file that loads to the same settings', async () => {
    const config = await resolve(['--port', '0']);
    const yamlText = renderConfig(config, false);
    expect(yamlText).toMatch(/^# ice-doctor serve: the effective settings/);
    expect(yamlText).toContain("generates the user 'ice-doctor'");
    const printed = parseYaml(yamlText) as Record<string, unknown>;
    expect(printed).toMatchObject({
      port: 0,
      'tls-port': 0,
      realm: 'ice-doctor',
      'relay-ports': '49152-65535',
    });
    expect(printed.user).toEqual([]);
    expect(printed['allow-peer']).toBeUndefined();
    expect(yamlText).toContain('No allow-peer: loopback peers (127.0.0.0/8, ::1/128) are allowed because');
    const again = await resolve(['--config', file(yamlText)]);
    expect(effectiveConfig(again)).toEqual(effectiveConfig(config));
    expect(again.turn.allowPeers).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('does not write the loopback-peer default down: the printed file on a public address denies loopback peers', async () => {
    const printed = renderConfig(await resolve(['--port', '0']), false);
    const onPublic = await resolve(['--config', file(printed), '--listen', '203.0.113.10']);
    expect(onPublic.turn.allowPeers).toEqual([]);
    expect(onPublic.turn.allowPeersDefaulted).toBe(false);
  });
});

describe('deploy/ice-doctor.example.yaml', () => {
  it('loads, and says what it says', async () => {
    const config = await resolve(['--config', 'deploy/ice-doctor.example.yaml']);
    expect(config.stun).toMatchObject({
      addresses: ['203.0.113.10', '203.0.113.11'],
      port: 3478,
      altPort: 3479,
    });
    expect(config.turn).toMatchObject({
      realm: 'turn.example.org',
      externalIps: ['198.51.100.7'],
      relayPorts: { min: 49160, max: 49200 },
      tlsPort: 5349,
      allowPeers: [],
      allowPeersDefaulted: false,
    });
    expect([...config.turn.users.keys()]).toEqual(['alice']);
    expect(config.report).toMatchObject({
      httpPort: 8080,
      httpsPort: 8443,
      publicHosts: ['turn.example.org'],
    });
  });
});
