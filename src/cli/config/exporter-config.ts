import { readFileSync } from 'node:fs';
import { type ZodRawShape, z } from 'zod';
import type { ResolvedTurnCredentials } from '../../client/turn-check/credentials.js';
import { ConfigError } from '../../errors.js';
import type { ExporterSettings, ProbeModule } from '../../exporter/module.js';
import { readCaFile } from './ca-file.js';
import { readYamlFile } from './config-file.js';
import { resolveTurnCredentials } from './turn-check-credentials.js';
import { DEFAULT_REST_USER } from './turn-check-defaults.js';

/** A module's `timeout` when it gives none, in ms (Prometheus' default scrape timeout is 10 s). */
export const DEFAULT_MODULE_TIMEOUT_MS = 10_000;
/** The longest `timeout` accepted, in ms. */
export const MAX_MODULE_TIMEOUT_MS = 120_000;
/** Lifetime of TURN REST credentials minted per probe when `restTtl` is not given, in ms. */
const DEFAULT_REST_TTL_MS = 3_600_000;
/** Taken off Prometheus' scrape timeout (blackbox_exporter's default `--timeout-offset`), in ms. */
export const TIMEOUT_OFFSET_MS = 500;

/** A strict object: an unknown key is named with the accepted ones. */
function strict<T extends ZodRawShape>(shape: T) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key ${iss.keys.map((k) => `'${k}'`).join(', ')} (accepted: ${accepted})`
        : undefined,
  });
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
/** `10s`, `500ms`, `1m`, or a number of seconds. */
const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null;
  const ms = typeof v === 'number' ? v * 1000 : m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.NaN;
  if (ms > 0 && ms <= MAX_MODULE_TIMEOUT_MS) return ms;
  ctx.addIssue({
    code: 'custom',
    message: `must be a duration like 10s, 500ms or 1m (more than 0, at most ${MAX_MODULE_TIMEOUT_MS / 1000}s), got ${JSON.stringify(v)}`,
  });
  return z.NEVER;
});

const text = z.string().min(1);
const credentialsSchema = strict({
  user: text.optional(),
  passwordFile: text.optional(),
  passwordEnv: text.optional(),
  restSecretFile: text.optional(),
  restSecretEnv: text.optional(),
  restUser: text.optional(),
  restTtl: duration.optional(),
});
const common = { timeout: duration.optional(), insecure: z.boolean().optional(), caFile: text.optional() };
const turnModuleSchema = strict({
  kind: z.literal('turn'),
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  credentials: credentialsSchema,
  quality: z.boolean().optional(),
  outsideReach: z.boolean().optional(),
  ...common,
});
const stunModuleSchema = strict({ kind: z.literal('stun'), ...common });
const kindSchema = z.object({ kind: z.enum(['turn', 'stun']) });
const fileSchema = strict({
  modules: z
    .record(z.string(), z.unknown())
    .refine((m) => Object.keys(m).length > 0, 'must name at least one module'),
  allowedTargets: z.array(text).min(1).optional(),
  allowAnyTarget: z.boolean().optional(),
});

/** A module name as `?module=` carries it unescaped. */
const MODULE_NAME = /^[A-Za-z0-9_.-]+$/;

/** The words for zod's expected types. */
const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  string: 'text',
  boolean: 'true or false',
  number: 'a number',
  array: 'a list',
};

/** One line for a zod issue: where (dotted path) and what is accepted. */
function issueText(iss: z.core.$ZodIssue, at: string): string {
  const where = [at, ...iss.path.map(String)].filter(Boolean).join('.');
  const got = `, got ${JSON.stringify(iss.input)}`;
  let what = iss.message;
  if (iss.code === 'invalid_value') what = `must be one of ${iss.values.map(String).join(', ')}${got}`;
  else if (iss.code === 'invalid_type' && iss.input === undefined)
    what = `missing (${TYPE_WORDS[iss.expected] ?? iss.expected})`;
  else if (iss.code === 'invalid_type') what = `must be ${TYPE_WORDS[iss.expected] ?? iss.expected}${got}`;
  return where === '' ? what : `${where}: ${what}`;
}

/** `schema.parse(value)`, a failure thrown as ConfigError naming the file and key. */
function parseAt<T extends z.ZodType>(file: string, at: string, schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) throw new ConfigError(`${file}: ${issueText(r.error.issues[0]!, at)}`);
  return r.data;
}

/** A secret from a file (one trailing newline dropped) or an environment variable, never empty. */
function secret(
  file: string,
  at: string,
  from: { file?: string; env?: string },
  env: NodeJS.ProcessEnv,
): string {
  if (from.env !== undefined) {
    const value = env[from.env];
    if (value === undefined || value === '')
      throw new ConfigError(`${file}: ${at}Env: the environment variable ${from.env} is not set`);
    return value;
  }
  let value: string;
  try {
    value = readFileSync(from.file!, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`${file}: ${at}File: cannot read ${from.file} (${code})`);
  }
  if (value === '') throw new ConfigError(`${file}: ${at}File: ${from.file} is empty`);
  return value;
}

/**
 * A module's credentials: `user` with `passwordFile` or `passwordEnv` (RFC 8489 §9.2 long-term), or
 * `restSecretFile` or `restSecretEnv` with optional `restUser` and `restTtl` (TURN REST,
 * draft-uberti-behave-turn-rest-00: minted fresh for every probe). Read once, at start.
 */
function credentialsOf(
  file: string,
  at: string,
  c: z.output<typeof credentialsSchema>,
  env: NodeJS.ProcessEnv,
): () => ResolvedTurnCredentials {
  const one = (a: string | undefined, b: string | undefined): boolean =>
    (a === undefined) !== (b === undefined);
  const longTerm = c.user !== undefined || c.passwordFile !== undefined || c.passwordEnv !== undefined;
  const rest = c.restSecretFile !== undefined || c.restSecretEnv !== undefined;
  const kinds =
    'user with passwordFile or passwordEnv, or restSecretFile or restSecretEnv (TURN REST, with optional restUser, restTtl)';
  if (longTerm === rest)
    throw new ConfigError(
      `${file}: ${at}: give ${longTerm ? 'either ' : ''}${kinds}${longTerm ? ', not both' : ''}`,
    );
  if (longTerm) {
    const restKey = c.restUser !== undefined ? 'restUser' : c.restTtl !== undefined ? 'restTtl' : null;
    if (restKey !== null)
      throw new ConfigError(
        `${file}: ${at}.${restKey}: only for TURN REST credentials (restSecretFile or restSecretEnv), not with user and a password`,
      );
    if (c.user === undefined) throw new ConfigError(`${file}: ${at}.user: missing (the long-term user name)`);
    if (!one(c.passwordFile, c.passwordEnv))
      throw new ConfigError(`${file}: ${at}: give one of passwordFile, passwordEnv for user "${c.user}"`);
    const password = secret(file, `${at}.password`, { file: c.passwordFile, env: c.passwordEnv }, env);
    const resolved = resolveTurnCredentials({ user: c.user, password });
    return () => resolved;
  }
  if (!one(c.restSecretFile, c.restSecretEnv))
    throw new ConfigError(`${file}: ${at}: give one of restSecretFile, restSecretEnv, not both`);
  if (c.restTtl !== undefined && c.restTtl < 1000)
    throw new ConfigError(`${file}: ${at}.restTtl: must be at least 1s`);
  const authSecret = secret(file, `${at}.restSecret`, { file: c.restSecretFile, env: c.restSecretEnv }, env);
  const restUser = c.restUser ?? DEFAULT_REST_USER;
  const restTtlS = Math.round((c.restTtl ?? DEFAULT_REST_TTL_MS) / 1000);
  return () => resolveTurnCredentials({ authSecret, restUser, restTtlS });
}

/** One module of the file, validated, its secrets and CA file read. */
function moduleOf(file: string, name: string, raw: unknown, env: NodeJS.ProcessEnv): ProbeModule {
  const at = `modules.${name}`;
  const { kind } = parseAt(file, at, kindSchema, raw && typeof raw === 'object' ? raw : {});
  const base = (m: { timeout?: number; insecure?: boolean; caFile?: string }) => ({
    name,
    timeoutMs: m.timeout ?? DEFAULT_MODULE_TIMEOUT_MS,
    insecure: m.insecure ?? false,
    ca: m.caFile === undefined ? undefined : readCaFile(`${file}: ${at}.caFile`, m.caFile),
  });
  if (kind === 'stun') return { kind, ...base(parseAt(file, at, stunModuleSchema, raw)) };
  const m = parseAt(file, at, turnModuleSchema, raw);
  return {
    kind,
    ...base(m),
    transport: m.transport,
    credentials: credentialsOf(file, `${at}.credentials`, m.credentials, env),
    quality: m.quality ?? true,
    outsideReach: m.outsideReach ?? true,
  };
}

/** The exporter's flags that go into its settings. */
export interface ExporterLimits {
  /** `--max-concurrent`: probes at once. */
  maxConcurrent: number;
  /** `--max-queued`: probes that may wait for a slot. */
  maxQueued: number;
}

/**
 * Reads the exporter's YAML config file (`ice-doctor exporter --config FILE`):
 * `modules: { NAME: { kind: turn | stun, … } }` and optional `allowedTargets: [host patterns]`
 * (docs/exporter.md, "Configuration"). Credentials come from environment variables or files only.
 * @param env where `passwordEnv` and `restSecretEnv` are read (default: this process's environment).
 * @throws ConfigError (exit 2) naming the file and the dotted key, with the accepted values: an unreadable
 *   or non-YAML file, an unknown key, a wrong value, missing or conflicting credentials, an unset variable,
 *   an unreadable secret or CA file.
 */
export function readExporterConfig(
  file: string,
  limits: ExporterLimits,
  env: NodeJS.ProcessEnv = process.env,
): ExporterSettings {
  const parsed = parseAt(file, '', fileSchema, readYamlFile(file) ?? {});
  const badName = Object.keys(parsed.modules).find((name) => !MODULE_NAME.test(name));
  if (badName !== undefined)
    throw new ConfigError(`${file}: modules: "${badName}" is not a module name (letters, digits, _ . -)`);
  const modules = new Map(
    Object.entries(parsed.modules).map(([name, raw]) => [name, moduleOf(file, name, raw, env)]),
  );
  return {
    modules,
    allowedTargets: parsed.allowedTargets ?? null,
    allowAnyTarget: parsed.allowAnyTarget ?? false,
    maxConcurrent: limits.maxConcurrent,
    maxQueued: limits.maxQueued,
    timeoutOffsetMs: TIMEOUT_OFFSET_MS,
  };
}

/** True for a listen host only this machine can reach: 127.0.0.0/8, ::1, localhost. */
function loopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Refuses an open prober: a `--listen` address others can reach (not loopback) with no `allowedTargets`,
 * unless the config file says `allowAnyTarget: true` (whoever reaches the port could make the exporter
 * probe any host: an SSRF tool).
 * @throws ConfigError naming `--listen`, `allowedTargets` and `allowAnyTarget`.
 */
export function refuseOpenProber(file: string, listenHost: string, settings: ExporterSettings): void {
  if (loopbackHost(listenHost) || settings.allowedTargets !== null || settings.allowAnyTarget) return;
  throw new ConfigError(
    `--listen ${listenHost} is reachable from other hosts, but ${file} has no allowedTargets: list the hosts ` +
      'the exporter may probe (allowedTargets), or set allowAnyTarget: true to let whoever reaches its port ' +
      'probe any host',
  );
}

/**
 * `--listen HOST:PORT` (`127.0.0.1:9478`, `[::1]:9478`, `0.0.0.0:0` for a free port).
 * @throws ConfigError `--listen: must be HOST:PORT (IPv6 in brackets), got '…'`.
 */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port >= 0 && port <= 65535))
    throw new ConfigError(
      `--listen: must be HOST:PORT with a port 0–65535 (IPv6 in brackets), got '${value}'`,
    );
  return { host: (m[1] ?? m[2])!, port };
}
