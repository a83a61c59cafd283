/**
 * Import direction of ice-doctor (docs/ARCHITECTURE.md, "Layers"): shared ← wire ← report, net ← client | server
 * ← web, diagnosis, exporter (client only), lab (report only) ← cli; test and bench use src and lab, never each other. `npm run check:imports` (part of
 * `npm test`) fails on any import against it, type-only imports included.
 */
const layer = (name, comment, from, to, extra = {}) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to, ...extra },
});

/** A rule that code under `from` runs in browsers: it imports no Node built-in. */
const browserCode = (name, comment, from) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { dependencyTypes: ['core'] },
});

module.exports = {
  forbidden: [
    layer('errors-is-a-leaf', 'src/errors.ts imports nothing of ice-doctor.', '^src/errors\\.ts$', '^src/'),
    layer('shared-is-a-leaf', 'src/shared imports no other folder of src.', '^src/shared/', '^src/(?!shared/)'),
    browserCode('shared-runs-in-browsers', 'src/shared is bundled into the report page: no Node built-ins.', '^src/shared/'),
    layer('wire-below-everything', 'src/wire uses only src/shared and src/errors.ts.', '^src/wire/', '^src/(?!wire/|shared/|errors\\.ts$)'),
    layer('report-is-schemas', 'src/report (JSON schemas) uses only shared, wire and errors.', '^src/report/', '^src/(?!report/|shared/|wire/|errors\\.ts$)'),
    layer('net-below-client-and-server', 'src/net (server plumbing) uses only shared, wire and errors.', '^src/net/', '^src/(?!net/|shared/|wire/|errors\\.ts$)'),
    layer('client-apart-from-server', 'The client never imports the server, the web side or the CLI.', '^src/client/', '^src/(server|web|diagnosis|exporter|cli)/'),
    layer('server-apart-from-client', 'The server never imports the client, the web side or the CLI.', '^src/server/', '^src/(client|web|diagnosis|exporter|cli)/'),
    layer('exporter-is-a-prober', 'src/exporter (the Prometheus prober) uses the client, report, net, wire, shared and errors: never the server, the web side, the main job or the CLI.', '^src/exporter/', '^src/(server|web|diagnosis|cli)/'),
    layer('only-cli-imports-exporter', 'Only the CLI starts the exporter.', '^src/(?!cli/|exporter/)', '^src/exporter/'),
    layer('page-is-browser-code', 'The report page imports only shared, report, the web schemas and errors.', '^src/web/page/', '^src/(?!web/page/|web/[^/]+\\.ts$|shared/|report/|errors\\.ts$)'),
    browserCode('page-has-no-node', 'The report page runs in browsers: no Node built-ins.', '^src/web/page/'),
    layer('admin-ui-is-browser-code', "The dashboard's browser code (src/web/admin/ui) imports only itself, the admin API types, the page's DOM-free modules (share links), the page's dom.ts and zod-jitless.ts, report, shared and errors.", '^src/web/admin/ui/', '^src/(?!web/admin/ui/|web/admin/admin-api\\.ts$|web/page/(?!ui/)|web/page/ui/(dom|zod-jitless)\\.ts$|report/|shared/|errors\\.ts$)'),
    browserCode('admin-ui-has-no-node', 'The dashboard runs in browsers: no Node built-ins.', '^src/web/admin/ui/'),
    layer('admin-server-apart-from-ui', 'The dashboard server never imports its browser code.', '^src/web/(admin/server|server)/', '^src/web/admin/ui/'),
    layer('lab-is-a-tool', 'src/lab (the network-namespace NAT lab behind `ice-doctor lab`, also used by test and bench) uses report, shared and errors only: it runs the bundled server as a process, never in-process.', '^src/lab/', '^src/(?!lab/|report/|shared/|errors\\.ts$)'),
    layer('only-cli-imports-lab', 'Only the CLI starts the lab.', '^src/(?!cli/|lab/)', '^src/lab/'),
    layer('store-is-storage', 'src/store (the support-link store over Kysely) uses only report, shared, errors and the invite key of support-links, besides node: and npm.', '^src/store/', '^src/(?!store/|report/|shared/|errors\\.ts$|support-links/invite-token\\.ts$)'),
    layer('page-never-imports-store', 'The report page is browser code: it never imports the store.', '^src/web/page/', '^src/store/'),
    layer('only-cli-imports-cli', 'Nothing below the CLI imports it.', '^src/(?!cli/)', '^src/cli/'),
    layer('src-is-the-product', 'src never imports tests, benchmarks or the lab.', '^src/', '^(test|bench|lab)/'),
    layer('lab-uses-src-only', 'The lab is used by test and bench alike; it imports neither.', '^lab/', '^(test|bench)/'),
    layer('test-not-bench', 'Tests do not import benchmarks (shared pieces live in lab/ or src/).', '^test/', '^bench/'),
    layer('bench-not-test', 'Benchmarks do not import tests (shared pieces live in lab/ or src/).', '^bench/', '^test/'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
