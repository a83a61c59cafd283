// Bundles the report page (src/web/page/ui/main.ts, TypeScript, chart.js) with esbuild into
// dist/web/public/, next to its static/index.html and static/style.css. The report server serves that folder.
// No source map is written (it would hand the whole source, 2.7 MB, to anyone who asks; a stale one is deleted).
// Each text file gets a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside it, which the report
// server sends to clients that accept them (src/web/server/precompressed.ts): compressed once here, not
// per request.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const src = new URL('../src/web/page/', import.meta.url);
const out = new URL('../dist/web/public/', import.meta.url);
mkdirSync(out, { recursive: true });
rmSync(new URL('app.js.map', out), { force: true });
await build({
  entryPoints: [new URL('ui/main.ts', src).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(new URL(`static/${file}`, src), new URL(file, out));
for (const file of ['index.html', 'style.css', 'app.js', 'app.js.LEGAL.txt']) {
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
