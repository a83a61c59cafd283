import type { Command } from 'commander';
import { ConfigError, SettingsError } from '../../errors.js';
import type { ResolvedStunServerOptions } from '../../server/stun/options.js';
import type { TurnSettings } from '../../server/turn/settings.js';
import type { ReportSettings } from '../../web/server/report-settings.js';
import { type FileKey, type FlagValue, fileKeys, readConfigFile } from './config-file.js';
import { parseReportFlags, type ReportFlags } from './report-flags.js';
import { parseServeFlags, type ServeFlags } from './serve-flags.js';
import { parseSupportFlags, type SupportFlags, type SupportSettings } from './support-flags.js';
import { parseTurnFlags, type TurnFlags } from './turn-flags.js';

/** Every flag of `ice-doctor serve` as commander hands them over. */
export interface ServeCommandFlags extends ServeFlags, TurnFlags, ReportFlags, SupportFlags {
  config?: string;
  printConfig?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** Flags that are not settings and so no config-file keys: the file itself and the output format. */
const NOT_IN_FILE: ReadonlySet<string> = new Set(['config', 'print-config', 'json']);

/** The environment variable of each flag that has one (flag attribute → variable). */
const ENV_OF: Readonly<Record<string, string>> = {
  listen: 'ICE_DOCTOR_LISTEN',
  realm: 'ICE_DOCTOR_REALM',
  authSecret: 'ICE_DOCTOR_AUTH_SECRET',
  externalIp: 'ICE_DOCTOR_EXTERNAL_IP',
  relayPorts: 'ICE_DOCTOR_RELAY_PORTS',
  publicHost: 'ICE_DOCTOR_PUBLIC_HOST',
  dataDir: 'ICE_DOCTOR_DATA_DIR',
  database: 'ICE_DOCTOR_DATABASE_URL',
};

/** The settings of one `serve`, every source merged, each validated by the server's own resolution. */
export interface ServeConfig {
  /** The config file read (`--config`, else `ICE_DOCTOR_CONFIG`), or null. */
  file: string | null;
  stun: ResolvedStunServerOptions;
  turn: TurnSettings;
  /** null with `--no-report` (`report: false`). */
  report: ReportSettings | null;
  /** The support links (`--data-dir` / `--database` and friends), or null: off. */
  support: SupportSettings | null;
  /** The merged flags (command line, then the file where neither flag nor variable is set). */
  flags: ServeCommandFlags;
  /** The attributes (`tlsCert`) whose value came from the file. */
  fromFile: ReadonlySet<string>;
}

/**
 * The file's values for the flags that neither the command line nor an environment variable set: flags >
 * environment > file > defaults. A variable set but empty counts as set (it is an error where it is read).
 */
function valuesTaken(
  command: Command,
  values: Record<string, FlagValue>,
  env: NodeJS.ProcessEnv,
): Record<string, FlagValue> {
  return Object.fromEntries(
    Object.entries(values).filter(([attribute]) => {
      const variable = ENV_OF[attribute];
      return (
        command.getOptionValueSource(attribute) !== 'cli' &&
        (variable === undefined || env[variable] === undefined)
      );
    }),
  );
}

/**
 * A message about a flag whose value came from the file, said under the file and key instead:
 * `--port: must be a port number (0–65535), got '70000'` becomes `serve.yaml: port: must be …`; any other
 * message as it is.
 */
function underFileKey(
  text: string,
  file: string | null,
  keys: readonly FileKey[],
  inFile: ReadonlySet<string>,
): string {
  const m = file === null ? null : /^--([a-z-]+):(.*)$/s.exec(text);
  const key = m && keys.find((k) => k.option.long === `--${m[1]}` && inFile.has(k.attribute));
  return key ? `${file}: ${key.key}:${m![2]}` : text;
}

/**
 * Merges and validates the settings of `ice-doctor serve`: the command line, the `ICE_DOCTOR_*` variables
 * and the YAML config file (`--config FILE` or `ICE_DOCTOR_CONFIG`; keys are the long flags, see
 * config-file.ts), in that order of precedence, then the defaults of the server's settings. The file's
 * values go through the same parsers as the flags (serve-flags.ts, turn-flags.ts, report-flags.ts).
 * @param command the `serve` command (its options name the file's keys; it tells which flags were given).
 * @throws ConfigError, one line: naming the flag or variable, or the file and key, and the accepted values.
 */
export function resolveServeConfig(
  command: Command,
  given: ServeCommandFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const file = given.config ?? env.ICE_DOCTOR_CONFIG ?? null;
  const keys = fileKeys(command.options, NOT_IN_FILE);
  const taken = file === null ? {} : valuesTaken(command, readConfigFile(file, keys), env);
  const flags: ServeCommandFlags = { ...given, ...taken };
  const inFile = new Set(Object.keys(taken));
  const listen = flags.listen ?? env.ICE_DOCTOR_LISTEN;
  const listenSource = given.listen === undefined && !inFile.has('listen') ? 'ICE_DOCTOR_LISTEN' : '--listen';
  const said = (text: string) => underFileKey(text, file, keys, inFile);
  try {
    const stun = parseServeFlags({ ...flags, ...(listen !== undefined && { listen }) }, listenSource);
    const turn = parseTurnFlags(flags, stun.addresses, stun.port === 0, env);
    const report = parseReportFlags(flags, stun.addresses, stun.port === 0, env);
    return {
      file,
      stun,
      turn: { ...turn, warnings: turn.warnings.map(said) },
      report,
      support: parseSupportFlags(flags, report !== null, env),
      flags,
      fromFile: inFile,
    };
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(said(err.message)) : err;
  }
}

/** The flag of each settings field whose SettingsError only starting the server can raise (files, bound names). */
const FLAG_AT_START: Readonly<Record<string, string>> = {
  tlsCertFile: '--tls-cert',
  tlsKeyFile: '--tls-key',
  publicHosts: '--public-host',
  allowPeers: '--allow-peer',
  denyPeers: '--deny-peer',
};

/**
 * An error of starting `serve`'s servers as the CLI says it: a SettingsError about a field the user set
 * (an unreadable `--tls-cert`) under its flag, or under the config file and key it came from; anything else
 * as it is.
 */
export function saidByServe(err: unknown, config: ServeConfig, command: Command): unknown {
  if (!(err instanceof SettingsError) || FLAG_AT_START[err.field] === undefined) return err;
  const keys = fileKeys(command.options, NOT_IN_FILE);
  return new ConfigError(
    underFileKey(`${FLAG_AT_START[err.field]}: ${err.detail}`, config.file, keys, config.fromFile),
  );
}
