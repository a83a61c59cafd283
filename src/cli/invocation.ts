import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, sep } from 'node:path';

/** What {@link invocation} reads: the entry script, the working directory and `PATH`. */
export interface InvocationContext {
  /** The entry script as started (`process.argv[1]`). */
  script: string;
  cwd: string;
  /** `PATH`, `:`-separated. */
  path: string;
}

/** A path as a shell word: as is when it holds only safe characters, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The package root of a `dist/cli.js` when its package.json names `ice-doctor`, else null. */
function packageRoot(script: string): string | null {
  const root = dirname(dirname(script));
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === 'ice-doctor' ? root : null;
  } catch {
    return null;
  }
}

/**
 * How to run this CLI again from the user's shell, for the commands the output suggests (issue 11 §6):
 * - `ice-doctor` when that name on `PATH` is this script (a global install or `npm link`); directories
 *   named `node_modules/.bin` are skipped, npm puts them on `PATH` only for its child processes;
 * - `npx ice-doctor` when the working directory is inside this script's package (the README's
 *   Quick start: `npm start` in the checkout, where `npx ice-doctor` finds the package's own `bin`);
 * - otherwise `node <script>` (relative to the working directory when below it, else absolute).
 */
export function invocation(
  ctx: InvocationContext = {
    script: process.argv[1] ?? 'dist/cli.js',
    cwd: process.cwd(),
    path: process.env.PATH ?? '',
  },
): string {
  const script = realpathOrNull(ctx.script) ?? ctx.script;
  for (const dir of ctx.path.split(delimiter)) {
    if (dir === '' || dir.endsWith(join('node_modules', '.bin'))) continue;
    const candidate = join(dir, 'ice-doctor');
    if (existsSync(candidate) && realpathOrNull(candidate) === script) return 'ice-doctor';
  }
  const root = packageRoot(script);
  const cwd = realpathOrNull(ctx.cwd) ?? ctx.cwd;
  if (root !== null && (cwd === root || cwd.startsWith(root + sep))) return 'npx ice-doctor';
  const rel = relative(cwd, script);
  return `node ${shellWord(rel.startsWith('..') || isAbsolute(rel) ? script : rel)}`;
}
