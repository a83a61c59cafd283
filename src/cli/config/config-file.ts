import { readFileSync } from 'node:fs';
import type { Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';

/** A value as commander hands it over: a flag's text, a repeatable flag's texts, or a switch. */
export type FlagValue = string | string[] | boolean;

/** One config-file key: the long flag it stands for and how its value is read. */
export interface FileKey {
  /** `port` for `--port`, `tcp` for `--no-tcp`. */
  key: string;
  /** commander's attribute name (`altPort`, `tcp`). */
  attribute: string;
  option: Option;
}

/** Flags whose one value is a comma-separated list: the file may give them as a YAML list too. */
const COMMA_LISTS = new Set(['listen', 'external-ip']);

/**
 * The config-file keys of a command: one per long flag, named as the flag without `--` (`--no-tcp` is the
 * key `tcp`, `false` to turn TCP off), except those in `excluded` (output and the file itself).
 */
export function fileKeys(options: readonly Option[], excluded: ReadonlySet<string>): FileKey[] {
  return options
    .filter((o) => o.long !== undefined)
    .map((o) => ({ key: o.long!.replace(/^--(no-)?/, ''), attribute: o.attributeName(), option: o }))
    .filter((k) => !excluded.has(k.key));
}

const isSwitch = (o: Option): boolean => !o.required && !o.optional;
const repeatable = (k: FileKey): boolean => k.option.parseArg !== undefined;
const scalar = z.union([z.string(), z.number().finite()]);

/** The schema of one key's value and the words of its message. */
function keySchema(k: FileKey): { schema: z.ZodType; accepted: string } {
  if (isSwitch(k.option)) return { schema: z.boolean(), accepted: 'true or false' };
  if (repeatable(k) || COMMA_LISTS.has(k.key))
    return { schema: z.union([scalar, z.array(scalar)]), accepted: 'a value or a list of values' };
  return { schema: scalar, accepted: 'one value (a string or a number)' };
}

/** The file's value of one key as commander would have handed it over from the command line. */
function asFlag(k: FileKey, value: unknown): FlagValue {
  if (typeof value === 'boolean') return value;
  const texts = (Array.isArray(value) ? value : [value]).map(String);
  if (!repeatable(k)) return texts.join(',');
  const parse = k.option.parseArg as (text: string, previous: string[] | undefined) => string[];
  return texts.reduce<string[] | undefined>((prev, t) => parse(t, prev), undefined) ?? [];
}

/** The YAML text of `path`. @throws ConfigError `FILE: cannot read it (ENOENT)`. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * The parsed YAML of `path` (null or undefined for an empty file).
 * @throws ConfigError `FILE: cannot read it (ENOENT)` or `FILE: not YAML: <the parser's first line>`.
 */
export function readYamlFile(path: string): unknown {
  const text = readText(path);
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path}: not YAML: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
  }
}

/**
 * Reads a YAML config file whose keys are the long flags of a command (`port: 3478`, `user: [a:b, c:d]`,
 * `tcp: false`), validated with one zod schema made from the command's options: a switch takes true or
 * false, a repeatable flag a value or a list, any other one value. An empty file is an empty config.
 * @param keys the accepted keys ({@link fileKeys}).
 * @returns attribute name → the value as commander would hand it over (numbers as text, repeatable values
 *   through the flag's own parser, so `allow-peer: '10.0.0.0/8, 192.168.0.0/16'` splits as on the command line).
 * @throws ConfigError naming the file and the key, one line: cannot be read, not YAML (with the line),
 *   not a mapping, an unknown key (with the accepted ones), a value of the wrong kind.
 */
export function readConfigFile(path: string, keys: readonly FileKey[]): Record<string, FlagValue> {
  const doc = readYamlFile(path);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(`${path}: must be a mapping of keys (the long flags, like port: 3478) to values`);
  const byKey = new Map(keys.map((k) => [k.key, k]));
  const values: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(doc)) {
    const k = byKey.get(key);
    if (!k)
      throw new ConfigError(
        `${path}: unknown key '${key}' (the keys are the long flags without --: ${[...byKey.keys()].join(', ')})`,
      );
    const { schema, accepted } = keySchema(k);
    if (!schema.safeParse(value).success)
      throw new ConfigError(`${path}: ${key}: must be ${accepted}, got ${JSON.stringify(value)}`);
    values[k.attribute] = asFlag(k, value);
  }
  return values;
}
