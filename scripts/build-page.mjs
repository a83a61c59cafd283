// Bundles the report page (src/web-report/page/ui/main.ts, TypeScript, chart.js) with esbuild into
// dist/web-report/public/, next to its static/index.html and static/style.css. The report server serves that folder.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const src = new URL('../src/web-report/page/', import.meta.url);
const out = new URL('../dist/web-report/public/', import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('ui/main.ts', src).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(new URL(`static/${file}`, src), new URL(file, out));
