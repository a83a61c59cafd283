// Bundles the report page (src/web/page/ui/main.ts, TypeScript, chart.js) with esbuild into
// dist/web/public/, next to its static/index.html and static/style.css. The report server serves that folder.
// No source map is written (it would hand the whole source, 2.7 MB, to anyone who asks; a stale one is deleted).
// Each text file gets a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside it, which the report
// server sends to clients that accept them (src/web/server/precompressed.ts): compressed once here, not
// per request.
//
// What keeps the verdict quick (docs/benchmarks.md, bench/page-verdict-bench.mjs): app.js holds only what the
// checks and the verdict need. zod's 40-odd error-message locales (about 264 KB minified; `z.locales` keeps
// them all in the bundle, esbuild cannot drop a namespace member) are left out: the page uses zod's English
// messages, which zod imports on its own. The charts (ui/charts.ts with chart.js) are an entry of their own,
// charts.js, loaded when they are drawn, after the verdict (ui/charts-loader.ts).
//
// The dashboard (src/web/admin/ui/main.ts, chart.js and the page's share-link module) is bundled the same way
// into OUTDIR/admin/ (admin.js beside static/admin.html and admin.css; served under /admin, not precompressed).
//
// `node scripts/build-page.mjs [OUTDIR] [--baseline]`: OUTDIR defaults to dist/web/public/; `--baseline`
// builds the bundle as it was before (one file, every locale), for the page benchmark's side-by-side run.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const src = new URL('../src/web/page/', import.meta.url);
const adminSrc = new URL('../src/web/admin/', import.meta.url);

/** Resolves zod's `locales/index.js` (imported only for `z.locales`) to an empty module. */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * Keeps `import('./charts.js')` of ui/charts-loader.ts as it is: charts.js is an entry point of its own
 * (chart.js inside), so app.js has no shared chunk to fetch before it can run.
 */
const chartsApart = {
  name: 'charts-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/charts\.js$/ }, (args) =>
      args.importer.endsWith('charts-loader.ts') && args.kind === 'dynamic-import'
        ? { path: './charts.js', external: true }
        : undefined,
    );
  },
};

function compress(out, file) {
  const text = readFileSync(new URL(file, out));
  writeFileSync(
    new URL(`${file}.br`, out),
    brotliCompressSync(text, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
      },
    }),
  );
  writeFileSync(new URL(`${file}.gz`, out), gzipSync(text, { level: 9 }));
}

/** esbuild options both browser bundles share (the page, the dashboard): minified ESM for current browsers. */
const BROWSER_BUNDLE = {
  entryNames: '[name]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
};

/**
 * Builds the page into `out` (a directory URL ending in `/`), removing the outputs of an earlier build first.
 * @param {URL} out
 * @param {{ baseline?: boolean }} options `baseline`: one file with every zod locale (the build before the
 *   page benchmark), for comparison only.
 */
export async function buildPage(out, { baseline = false } = {}) {
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out))
    if (/^(app|charts|chunk-[\w-]+)\.js(\..+)?$/.test(name)) rmSync(new URL(name, out));
  await build({
    entryPoints: {
      app: new URL('ui/main.ts', src).pathname,
      ...(baseline ? {} : { charts: new URL('ui/charts.ts', src).pathname }),
    },
    outdir: out.pathname,
    ...BROWSER_BUNDLE,
    plugins: baseline ? [] : [noZodLocales, chartsApart],
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(new URL(`static/${file}`, src), new URL(file, out));
  for (const file of readdirSync(out).filter((f) => /\.(html|css|js|txt)$/.test(f))) compress(out, file);
  if (!baseline) await buildAdmin(new URL('admin/', out));
}

/** Builds the dashboard into `out` (a directory URL ending in `/`): admin.js, admin.html, admin.css. */
async function buildAdmin(out) {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { admin: new URL('ui/main.ts', adminSrc).pathname },
    outdir: out.pathname,
    ...BROWSER_BUNDLE,
    plugins: [noZodLocales],
  });
  for (const file of ['admin.html', 'admin.css']) copyFileSync(new URL(`static/${file}`, adminSrc), new URL(file, out));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  await buildPage(dir ? pathToFileURL(`${dir.replace(/\/?$/, '/')}`) : new URL('../dist/web/public/', import.meta.url), {
    baseline: args.includes('--baseline'),
  });
}
