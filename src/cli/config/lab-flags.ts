import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { LAB_NATS, type LabNat } from '../../lab/lab-nats.js';

/** The `--nat` names, in {@link LAB_NATS} order. */
export function labNatNames(): LabNat[] {
  return Object.keys(LAB_NATS) as LabNat[];
}

/**
 * Parses `--nat`: one of {@link LAB_NATS}' names.
 * @throws ConfigError `--nat: required; one of port-restricted, symmetric, …` when absent, or
 *   `--nat: unknown network 'x'; one of …` when not a name.
 */
export function parseNat(value: string | undefined): LabNat {
  const accepted = `one of ${labNatNames().join(', ')}`;
  if (value === undefined) throw new ConfigError(`--nat: required; ${accepted}`);
  if (!Object.hasOwn(LAB_NATS, value))
    throw new ConfigError(`--nat: unknown network '${value}'; ${accepted}`);
  return value as LabNat;
}

/** True when `path` is a file (not a directory) this process may execute. */
function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where `command` would be found as `ip netns exec` runs it (execvp: a name with a slash as given, else the
 * first executable in `PATH`), or null when nowhere: `lab run` says so before building anything.
 * @param path the `PATH` to search (`:`-separated; an empty entry is the working directory).
 */
export function findCommand(command: string, path: string): string | null {
  if (command.includes('/')) return executable(command) ? command : null;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, command);
    if (executable(candidate)) return candidate;
  }
  return null;
}
