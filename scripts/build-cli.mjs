// Bundles the CLI's start-up path (src/cli/main.ts, the command registrations, commander) with esbuild into
// dist/cli.js, over tsc's copy, so `ice-doctor --version` loads one file instead of dozens (issue 11 §3,
// bench/startup-bench.mjs). What an action loads with import(), and the modules in SAME_OBJECTS, stay
// external: the bundle imports tsc's output beside it in dist/. Other npm packages stay external too.
import { chmodSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';

const srcDir = new URL('../src/', import.meta.url).pathname;
const entry = resolve(srcDir, 'cli/main.ts');

/** `./x/y.js` as the bundle at dist/cli.js imports tsc's output of src/x/y.ts. */
const fromBundle = (resolveDir, path) => `./${relative(srcDir, resolve(resolveDir, path))}`;

const outfile = new URL('../dist/cli.js', import.meta.url).pathname;

/**
 * Modules whose classes the bundle checks with `instanceof` against what lazily loaded modules throw: a
 * copy inlined in the bundle would be another class. src/errors.ts (UserError and its kin) and
 * src/shared/ice-url.ts (IceUrlError, thrown by the clients' URL policies, said as a configuration error).
 */
const SAME_OBJECTS = new Set(['errors.js', 'shared/ice-url.js'].map((p) => resolve(srcDir, p)));

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // commander is CommonJS: its require('node:events') etc. need a require in the ESM bundle.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  plugins: [
    {
      name: 'lazy-modules-external',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          if (!args.path.startsWith('.')) return args.path === 'commander' ? undefined : { external: true };
          const lazy = args.kind === 'dynamic-import' || SAME_OBJECTS.has(resolve(args.resolveDir, args.path));
          return lazy ? { path: fromBundle(args.resolveDir, args.path), external: true } : undefined;
        });
      },
    },
  ],
});

// The package's bin: `npx ice-doctor` in a fresh checkout runs it through sh, which needs the execute bit
// (npm sets it only on a bin it installs, and a new file from esbuild or tsc is 0644).
chmodSync(outfile, 0o755);
