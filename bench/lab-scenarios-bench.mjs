// Entry point for `npm run bench:lab-scenarios` (plain node): registers tsx so the TypeScript bench and the
// NAT lab (src/lab, lab/) load without a separate build step, then runs bench/lab-scenarios-bench.ts.
import { register } from 'tsx/esm/api';

register();
await import('./lab-scenarios-bench.ts');
