// Entry point for `npm run bench:store` (plain node): registers tsx so the TypeScript bench loads without a
// build step, then runs bench/store-bench.ts (env BENCH_REPORTS, default 100000; BENCH_RUNS, default 30).
import { register } from 'tsx/esm/api';

register();
await import('./store-bench.ts');
