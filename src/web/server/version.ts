import { readFileSync } from 'node:fs';

/**
 * ice-doctor's version, from package.json (three folders up from src/web/server/ and from
 * dist/web/server/ alike); `unknown` when it cannot be read.
 */
export function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const version = (pkg as { version?: unknown } | null)?.version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
