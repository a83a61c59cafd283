import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root; lab commands run with it as working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Built CLI (`npm run build`), run as `node dist/cli.js ...`. */
export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Raw-socket helper script, run as `node --import tsx lab/udp-agent.ts MODE`. */
export const AGENT_PATH = fileURLToPath(new URL('./udp-agent.ts', import.meta.url));

/** Argument list for `node` that runs the agent in `mode` (tsx resolved from {@link REPO_ROOT}). */
export function agentArgs(mode: string, ...args: string[]): string[] {
  return ['--import', 'tsx', AGENT_PATH, mode, ...args];
}

/**
 * Absolute path of a system command, searched in `PATH` while skipping `node_modules/.bin` entries (npx
 * puts them first, and `@msimerson/stun` installs a `stun` there that is a server, not Debian's client).
 * Falls back to the bare name when not found.
 */
export function systemTool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes('node_modules')) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return name;
}
