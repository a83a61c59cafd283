// Entry point for `npm run bench:dead-servers` (plain node): registers tsx so the TypeScript bench and the
// test helpers load without a build step, then runs bench/dead-servers-bench.ts.
import { register } from 'tsx/esm/api';

register();
await import('./dead-servers-bench.ts');
